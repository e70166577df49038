import ArgumentParser
import Exec
import GradCheck

extension Check {
    /// `--exec`: start the program's copies, check, stop them. A program that cannot be started
    /// or sends no valid hello gives a report with verdict `error` (exit 3), like a failure
    /// during the check.
    func runExecCheck(_ command: String, _ configuration: CheckConfiguration) throws -> (String, GradientReport) {
        if bug != nil { throw ValidationError("--exec and --bug cannot be combined") }
        let o = modelOptions
        if o.model != nil || o.layers != nil || o.hidden != nil || o.activation != nil || o.loss != nil
            || o.lambda != nil || o.examples != nil || o.initializer != nil {
            throw ValidationError("--model, --layers, --hidden, --activation, --loss, --lambda, --examples and --init describe a built-in network; they do not apply to --exec")
        }
        InterruptCleanup.install(message: "gradscope: interrupted; stopped the --exec program")
        let precision: Precision? = o.dtype.map { $0 == .float32 ? .float32 : .float64 }
        let jobs = execOptions.jobCount
        let objective: ExecObjective
        do throws(ExecError) {
            objective = try ExecObjective(command: command, jobs: jobs, timeout: execOptions.timeout, precision: precision)
        } catch {
            return ("`\(command)`", check(UnavailableObjective(error: error.description), configuration: configuration))
        }
        defer { objective.close() }
        let blocks = objective.blocks.count
        let title = "`\(command)`, \(objective.point.count) parameters in \(blocks) block\(blocks == 1 ? "" : "s"), \(jobs) job\(jobs == 1 ? "" : "s")"
        return (title, check(objective, configuration: configuration))
    }
}

/// An objective that could not be started: every evaluation fails with its message, so the
/// check reports verdict `error` in the usual text, JSON and HTML forms.
struct UnavailableObjective: GradientObjective {
    var error: String
    var blocks: [ObjectiveBlock] { [] }
    var point: [Double] { [] }
    func valueAndGradient() throws(EvaluationError) -> (value: Double, gradient: [Double]) { throw .failed(error) }
    func values(at offsets: [Perturbation]) throws(EvaluationError) -> [Sample] { throw .failed(error) }
}
