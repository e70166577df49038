import ArgumentParser
import Foundation

/// `gradscope check --exec`: check any program's gradient over the `gradscope/1` line protocol.
struct ExecOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Check an external program's gradient over the gradscope/1 line protocol (run with sh -c), e.g. 'python3 cost.py'.",
            valueName: "command"))
    var exec: String?

    @Option(
        name: .customLong("exec-fds"),
        help: ArgumentHelp(
            "Talk gradscope/1 to a program that is already running, on inherited descriptors: read its hello and answers from R, write requests to W; one pair per job (the Python package uses this).",
            valueName: "R:W[,R:W...]"))
    var execFDs: String?

    @Option(
        name: .customLong("exec-label"),
        help: ArgumentHelp("How the report names the --exec or --exec-fds program.", valueName: "text"))
    var execLabel: String?

    @Option(
        help: ArgumentHelp(
            "Vector-valued programs: random cotangent projections when the Jacobian is too large to check whole (default: 3).",
            valueName: "k"))
    var projections: Int?

    @Option(
        help: ArgumentHelp(
            "Copies of the --exec program to run in parallel (default: the number of cores).", valueName: "n"))
    var jobs: Int?

    @Option(
        help: ArgumentHelp(
            "Seconds the --exec program may take for its hello and for each answer (default: 60).", valueName: "seconds"
        ))
    var timeout: Double?

    func validate() throws {
        if exec != nil && execFDs != nil { throw ValidationError("--exec and --exec-fds cannot be combined") }
        let external = exec != nil || execFDs != nil
        if !external && (jobs != nil || timeout != nil) {
            throw ValidationError("--jobs and --timeout apply to --exec only")
        }
        if !external && (execLabel != nil || projections != nil) {
            throw ValidationError("--exec-label and --projections apply to --exec and --exec-fds only")
        }
        if execFDs != nil && jobs != nil {
            throw ValidationError("--jobs does not apply to --exec-fds: each R:W pair is one job")
        }
        if let projections, projections < 1 || projections > 10_000 {
            throw ValidationError("--projections must be between 1 and 10000, got \(projections)")
        }
        if execFDs != nil { _ = try descriptors() }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
        // Each job is a process with its own pipes and a copy of the point: refuse a count no
        // machine can run, before any is started.
        if let jobs, jobs > 1024 { throw ValidationError("--jobs must be at most 1024, got \(jobs)") }
        if let timeout, !(timeout.isFinite && timeout > 0) {
            throw ValidationError("--timeout must be a positive number of seconds, got \(timeout)")
        }
        if let exec, exec.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--exec needs a command")
        }
    }

    /// The `--exec-fds` pairs, validated: non-negative integers, R:W, no descriptor twice.
    func descriptors() throws -> [(read: Int32, write: Int32)]? {
        guard let execFDs else { return nil }
        var pairs = [(read: Int32, write: Int32)]()
        var seen = Set<Int32>()
        for item in execFDs.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let r = Int32(parts[0]), let w = Int32(parts[1]), r >= 0, w >= 0 else {
                throw ValidationError(
                    "--exec-fds takes R:W pairs of descriptor numbers separated by commas, e.g. 3:4,5:6; got '\(execFDs)'"
                )
            }
            for fd in [r, w] where !seen.insert(fd).inserted {
                throw ValidationError("--exec-fds names descriptor \(fd) twice in '\(execFDs)'")
            }
            pairs.append((r, w))
        }
        return pairs
    }

    /// Seconds per answer.
    var timeoutSeconds: Double { timeout ?? 60 }

    /// The number of copies to run.
    var jobCount: Int { jobs ?? max(1, ProcessInfo.processInfo.activeProcessorCount) }
}
