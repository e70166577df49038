import Foundation

/// Facts about the terminal the CLI writes to.
enum Terminal {
    /// stdout is a TTY and NO_COLOR is not set.
    static var isColorTTY: Bool {
        isatty(STDOUT_FILENO) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    }
    static var stderrIsTTY: Bool { isatty(STDERR_FILENO) != 0 }
}

/// A progress bar on stderr, drawn only on a TTY and only for runs longer than a second.
final class ProgressBar: @unchecked Sendable {
    let label: String
    let start = Date()
    let lock = NSLock()
    var drawn = false

    init(label: String) { self.label = label }

    func update(_ done: Int, of total: Int) {
        guard Terminal.stderrIsTTY, total > 0 else { return }
        lock.lock(); defer { lock.unlock() }
        let elapsed = Date().timeIntervalSince(start)
        guard elapsed > 1 || drawn else { return }
        drawn = true
        let width = 30
        let filled = min(width, width * done / total)
        let eta = done > 0 ? elapsed * Double(total - done) / Double(done) : 0
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        FileHandle.standardError.write(
            Data(String(format: "\r%@ %@ %d/%d  ETA %.0fs ", label, bar, done, total, eta).utf8))
    }

    func finish() {
        lock.lock(); defer { lock.unlock() }
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}

/// Errors the CLI reports in one line with a distinct exit status.
enum CLIError: Error, CustomStringConvertible {
    /// The objective could not be evaluated (exit 3).
    case evaluation(String)
    /// A result could not be written (exit 73, EX_CANTCREAT).
    case output(String)
    /// An input file is malformed or does not fit (exit 65, EX_DATAERR).
    case input(String)
    /// 3 for evaluation errors, 73 (EX_CANTCREAT) when output cannot be written.
    var exitCode: Int32 {
        switch self {
        case .evaluation: return ExitStatus.evaluation
        case .output: return ExitStatus.cannotWrite
        case .input: return ExitStatus.dataError
        }
    }

    var description: String {
        switch self {
        case .evaluation(let m): return "evaluation error: \(m)"
        case .output(let m), .input(let m): return m
        }
    }
}
