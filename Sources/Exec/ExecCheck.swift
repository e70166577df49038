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
    /// Peers already running on inherited descriptors (`--exec-fds`), instead of `command`.
    public var descriptors: [(read: Int32, write: Int32)]?
    /// How the title names the program (default: the command, or the descriptors).
    public var label: String?
    /// How a vector-valued program's Jacobian is covered.
    public var jacobian = JacobianOptions()

    public init(
        command: String, jobs: Int = 1, timeout: Double = 60, precision: Precision? = nil,
        environment: [String: String]? = nil
    ) {
        self.command = command; self.jobs = jobs; self.timeout = timeout
        self.precision = precision; self.environment = environment
    }

    /// A check of peers that are already running, one per pair of inherited descriptors.
    public init(
        descriptors: [(read: Int32, write: Int32)], label: String? = nil, timeout: Double = 60,
        precision: Precision? = nil
    ) {
        self.command =
            label ?? "program on descriptors " + descriptors.map { "\($0.read):\($0.write)" }.joined(separator: ",")
        self.jobs = descriptors.count; self.timeout = timeout; self.precision = precision
        self.descriptors = descriptors; self.label = label
    }

    /// Runs the check (a gradient check, or a Jacobian check for a program that announces
    /// outputs); the title names the program, the parameters and the jobs.
    public func run(_ configuration: CheckConfiguration) -> (title: String, report: GradientReport) {
        let objective: ExecObjective
        let name = label.map { "`\($0)`" } ?? "`\(command)`"
        do throws(ExecError) {
            if let descriptors {
                objective = try ExecObjective(
                    descriptors: descriptors, label: label, timeout: timeout, precision: precision)
            } else {
                objective = try ExecObjective(
                    command: command, jobs: jobs, timeout: timeout, precision: precision,
                    environment: environment)
            }
        } catch {
            return (name, check(UnavailableObjective(message: error.description), configuration: configuration))
        }
        defer { objective.close() }
        let blocks = objective.blocks.count
        var title =
            "\(name), \(objective.point.count) parameters in \(blocks) block\(blocks == 1 ? "" : "s"), "
            + "\(jobs) job\(jobs == 1 ? "" : "s")"
        if let outputs = objective.hello.outputs {
            let m = objective.hello.outputCount ?? 0
            title += ", \(m) output\(m == 1 ? "" : "s") in \(outputs.count) block\(outputs.count == 1 ? "" : "s")"
            return (title, checkJacobian(objective, configuration: configuration, options: jacobian))
        }
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
