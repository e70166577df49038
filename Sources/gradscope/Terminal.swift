import Foundation

/// Facts about the terminal the CLI writes to.
enum Terminal {
    /// stdout is a TTY and NO_COLOR is not set.
    static var isColorTTY: Bool {
        isatty(STDOUT_FILENO) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    }
    static var stderrIsTTY: Bool { isatty(STDERR_FILENO) != 0 }

    /// Writes all of `bytes` to `fd`, waiting while a non-blocking descriptor is full (EAGAIN)
    /// and retrying an interrupted write (EINTR). Returns `false` when the reader is gone
    /// (EPIPE, with SIGPIPE ignored) or the descriptor fails otherwise: the caller stops
    /// writing there instead of dying, and whatever it runs goes on.
    @discardableResult
    static func write(_ bytes: UnsafeRawBufferPointer, to fd: Int32) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        var offset = 0
        while offset < bytes.count {
            let n = Foundation.write(fd, base + offset, bytes.count - offset)
            if n > 0 {
                offset += n
            } else if n < 0 && errno == EINTR {
                continue
            } else if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                var ready = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&ready, 1, 100)
            } else {
                return false
            }
        }
        return true
    }

    /// `text` on stderr, never raising when stderr is closed or a broken pipe (FileHandle's
    /// `write` traps there).
    @discardableResult
    static func writeStderr(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { write(UnsafeRawBufferPointer($0), to: STDERR_FILENO) }
    }
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
