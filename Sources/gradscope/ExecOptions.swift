import ArgumentParser
import Foundation

/// `gradscope check --exec`: check any program's gradient over the `gradscope/1` line protocol.
struct ExecOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Check an external program's gradient over the gradscope/1 line protocol (run with sh -c), e.g. 'python3 cost.py'.",
        valueName: "command"))
    var exec: String?

    @Option(help: ArgumentHelp("Copies of the --exec program to run in parallel (default: the number of cores).", valueName: "n"))
    var jobs: Int?

    @Option(help: ArgumentHelp("Seconds the --exec program may take for its hello and for each answer (default: 60).", valueName: "seconds"))
    var timeout: Double?

    func validate() throws {
        if exec == nil && (jobs != nil || timeout != nil) { throw ValidationError("--jobs and --timeout apply to --exec only") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
        if let timeout, !(timeout.isFinite && timeout > 0) {
            throw ValidationError("--timeout must be a positive number of seconds, got \(timeout)")
        }
        if let exec, exec.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--exec needs a command") }
    }

    /// Seconds per answer.
    var timeoutSeconds: Double { timeout ?? 60 }

    /// The number of copies to run.
    var jobCount: Int { jobs ?? max(1, ProcessInfo.processInfo.activeProcessorCount) }
}
