import ArgumentParser
import Exec
import GradCheck

extension Check {
    /// `--exec`: check an external program over `gradscope/1` (see ``ExecCheck``). The
    /// built-in network's flags do not apply; `--dtype` overrides the hello's dtype.
    func runExecCheck(_ command: String, _ configuration: CheckConfiguration) throws -> (String, GradientReport) {
        if bug != nil { throw ValidationError("--exec and --bug cannot be combined") }
        let o = modelOptions
        if o.model != nil || o.layers != nil || o.hidden != nil || o.activation != nil || o.loss != nil
            || o.lambda != nil || o.examples != nil || o.initializer != nil {
            throw ValidationError("--model, --layers, --hidden, --activation, --loss, --lambda, --examples and --init describe a built-in network; they do not apply to --exec")
        }
        InterruptCleanup.install(message: "gradscope: interrupted; stopped the --exec program")
        let precision: Precision? = o.dtype.map { $0 == .float32 ? .float32 : .float64 }
        var exec: ExecCheck
        if let descriptors = try execOptions.descriptors() {
            exec = ExecCheck(descriptors: descriptors, label: execOptions.execLabel, timeout: execOptions.timeoutSeconds,
                             precision: precision)
        } else {
            exec = ExecCheck(command: command, jobs: execOptions.jobCount, timeout: execOptions.timeoutSeconds, precision: precision)
            exec.label = execOptions.execLabel
        }
        if let k = execOptions.projections { exec.jacobian.projections = k }
        return exec.run(configuration)
    }
}
