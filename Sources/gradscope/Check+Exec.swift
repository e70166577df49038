import ArgumentParser
import Exec
import GradCheck

extension Check {
    /// `--exec`: check an external program over `gradscope/1` (see ``ExecCheck``). The
    /// built-in network's flags do not apply; `--dtype` overrides the hello's dtype.
    func runExecCheck(_ command: String, _ configuration: CheckConfiguration) throws -> (String, GradientReport) {
        if bug != nil { throw ValidationError("--exec and --bug cannot be combined") }
        return try execOptions.check(command, modelOptions: modelOptions).run(configuration)
    }
}

extension ExecOptions {
    /// The ``ExecCheck`` these flags describe (`--exec` or `--exec-fds`), after refusing the
    /// built-in network's flags; installs the Ctrl-C cleanup of the program's copies.
    func check(_ command: String, modelOptions o: ModelOptions) throws -> ExecCheck {
        if o.model != nil || o.layers != nil || o.hidden != nil || o.activation != nil || o.loss != nil
            || o.lambda != nil || o.examples != nil || o.initializer != nil
        {
            throw ValidationError(
                "--model, --layers, --hidden, --activation, --loss, --lambda, --examples and --init describe a built-in network; they do not apply to --exec"
            )
        }
        InterruptCleanup.install(message: "gradscope: interrupted; stopped the --exec program")
        let precision: Precision? = o.dtype.map { $0 == .float32 ? .float32 : .float64 }
        var exec: ExecCheck
        if let descriptors = try descriptors() {
            exec = ExecCheck(descriptors: descriptors, label: execLabel, timeout: timeoutSeconds, precision: precision)
        } else {
            exec = ExecCheck(command: command, jobs: jobCount, timeout: timeoutSeconds, precision: precision)
            exec.label = execLabel
        }
        if let k = projections { exec.jacobian.projections = k }
        return exec
    }
}
