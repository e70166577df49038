import Foundation

/// Everything that can go wrong talking to an external program over `gradscope/1`. Each
/// description is one line that says what happened, when (before the hello, or which request),
/// and, where it helps, the last lines of the program's stderr.
public enum ExecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The program could not be started at all (`posix_spawn` failed).
    case spawnFailed(command: String, reason: String)
    /// The program ended before the line awaited.
    case exited(status: ProgramExit, awaited: Awaited, stderr: String)
    /// The line awaited did not come within the timeout.
    case timeout(seconds: Double, awaited: Awaited, stderr: String)
    /// A line on stdout that is not JSON where the line awaited should be.
    case notJSON(line: String, reason: String, awaited: Awaited)
    /// The first line is JSON but not a valid `gradscope/1` hello.
    case badHello(String)
    /// Copies started with `--jobs` announced different hellos.
    case helloMismatch(job: Int, difference: String)
    /// An answer with another id than the request it should answer.
    case wrongID(request: Int, got: String, what: String)
    /// An answer that is not a valid response (no value, a gradient of the wrong length, …).
    case badResponse(request: Int, what: String, problem: String)
    /// The program answered `{"id": …, "error": "…"}`.
    case programError(request: Int, what: String, message: String)
    /// A pipe failed (read, write, poll).
    case io(String)
    /// The program wrote more than `limit` bytes without a newline where a line was awaited.
    case lineTooLong(limit: Int, awaited: Awaited)

    public var description: String {
        switch self {
        case let .spawnFailed(command, reason):
            return "cannot start `\(command)`: \(reason)"
        case let .exited(status, awaited, stderr):
            return "the program \(status)\(status.hint) before \(awaited.gerund)\(Self.quote(stderr))"
        case let .timeout(seconds, awaited, stderr):
            return
                "the program did not \(awaited.infinitive) within \(Self.seconds(seconds)) (timeout; a program that does not flush stdout after each line also looks like this)\(Self.quote(stderr))"
        case let .notJSON(line, reason, awaited):
            return
                "the program wrote a line that is not JSON instead of \(awaited.gerund) (\(reason)): \(Self.excerpt(line)); anything but protocol messages must go to stderr"
        case .badHello(let message):
            return "not a gradscope/1 hello: \(message)"
        case let .helloMismatch(job, difference):
            return
                "job \(job) announced a different hello from job 1 (\(difference)); with several jobs every copy must start at the same point (seed its randomness)"
        case let .wrongID(request, got, what):
            return
                "request \(request) (\(what)) was answered with id \(got); answers must come in order, one per request"
        case let .badResponse(request, what, problem):
            return "request \(request) (\(what)): \(problem)"
        case let .programError(request, what, message):
            return "request \(request) (\(what)): the program answered with an error: \(message)"
        case .io(let message):
            return message
        case let .lineTooLong(limit, awaited):
            return
                "the program wrote more than \(limit) bytes without a newline instead of \(awaited.gerund); one protocol line may hold at most \(limit) bytes (a hello: \(Connection.helloLineLimit >> 20) MiB; an answer: \(Connection.answerLineFloor >> 20) MiB plus \(Connection.answerBytesPerNumber) bytes per number it must carry)"
        }
    }

    static func quote(_ stderr: String) -> String { stderr.isEmpty ? "" : "; stderr: \(stderr)" }

    static func seconds(_ s: Double) -> String {
        s == s.rounded() ? "\(Int(s)) s" : "\(s) s"
    }

    static func excerpt(_ line: String) -> String {
        let flat = line.replacingOccurrences(of: "\t", with: " ")
        return "'" + (flat.count > 80 ? flat.prefix(80) + "…" : Substring(flat)) + "'"
    }
}

/// The line a checker was waiting for when something went wrong.
public enum Awaited: Sendable, Equatable {
    /// The hello; `job` (1-based) when several copies run.
    case hello(job: Int?)
    /// The answer to request `id`, which asked for `what` ("value at x", …).
    case answer(id: Int, what: String)

    /// "sending its hello", "answering request 7 (value at x)".
    var gerund: String {
        switch self {
        case .hello(let job): return "sending its hello" + (job.map { " (job \($0))" } ?? "")
        case let .answer(id, what): return "answering request \(id) (\(what))"
        }
    }

    /// "send its hello", "answer request 7 (value at x)".
    var infinitive: String {
        switch self {
        case .hello(let job): return "send its hello" + (job.map { " (job \($0))" } ?? "")
        case let .answer(id, what): return "answer request \(id) (\(what))"
        }
    }
}

/// How a child process ended.
public enum ProgramExit: Sendable, Equatable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    public var description: String {
        switch self {
        case .exited(let code): return "exited with status \(code)"
        case .signaled(let signal):
            return "was killed by signal \(signal)\(Self.signalName(signal).map { " (\($0))" } ?? "")"
        }
    }

    /// What the shell's own statuses mean (" (command not found?)" for 127), or "".
    public var hint: String {
        switch self {
        case .exited(127): return " (command not found?)"
        case .exited(126): return " (command not executable?)"
        case .exited(let code) where code > 128 && code < 160:
            // A shell reports a command killed by signal s as 128 + s.
            return " (128 + \(code - 128)\(Self.signalName(code - 128).map { ": \($0)" } ?? ""))"
        default: return ""
        }
    }

    /// `SIGTERM` for 15, for the signals a program is commonly killed or stopped by.
    public static func signalName(_ signal: Int32) -> String? {
        let names: [Int32: String] = [
            1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 6: "SIGABRT", 8: "SIGFPE",
            9: "SIGKILL", 11: "SIGSEGV", 13: "SIGPIPE", 15: "SIGTERM"
        ]
        return names[signal]
    }
}
