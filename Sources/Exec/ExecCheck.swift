import GradCheck

/// What `gradscope check --exec` does: start the program's copies, check their gradient, stop
/// them. A program that cannot be started or sends no valid hello gives a report with verdict
/// `error` and a one-line message, like a failure during the check, so that the text, JSON and
/// HTML reports and the exit status (3) are the same either way.
public struct ExecCheck: Sendable {
    public var command: String
    public var jobs: Int
    public var timeout: Double
    /// Overrides the hello's `dtype`.
    public var precision: Precision?
    /// The children's environment (default: this process's).
    public var environment: [String: String]?

    public init(command: String, jobs: Int = 1, timeout: Double = 60, precision: Precision? = nil,
                environment: [String: String]? = nil) {
        self.command = command; self.jobs = jobs; self.timeout = timeout
        self.precision = precision; self.environment = environment
    }

    /// Runs the check; the title names the command, the parameters and the jobs.
    public func run(_ configuration: CheckConfiguration) -> (title: String, report: GradientReport) {
        let objective: ExecObjective
        do throws(ExecError) {
            objective = try ExecObjective(command: command, jobs: jobs, timeout: timeout, precision: precision,
                                          environment: environment)
        } catch {
            return ("`\(command)`", check(UnavailableObjective(message: error.description), configuration: configuration))
        }
        defer { objective.close() }
        let blocks = objective.blocks.count
        let title = "`\(command)`, \(objective.point.count) parameters in \(blocks) block\(blocks == 1 ? "" : "s"), "
            + "\(jobs) job\(jobs == 1 ? "" : "s")"
        return (title, check(objective, configuration: configuration))
    }
}

/// An objective that could not be started: every evaluation fails with its message.
struct UnavailableObjective: GradientObjective {
    var message: String
    var blocks: [ObjectiveBlock] { [] }
    var point: [Double] { [] }
    func valueAndGradient() throws(EvaluationError) -> (value: Double, gradient: [Double]) { throw .failed(message) }
    func values(at offsets: [Perturbation]) throws(EvaluationError) -> [Sample] { throw .failed(message) }
}
