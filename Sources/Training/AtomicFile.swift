import Foundation

/// Writes a file so that readers see the old content or the new, never a mixture: the bytes go
/// to a hidden temporary file beside the target (`.NAME.tmp-PID`), are flushed to disk
/// (`fsync`), and the temporary file is renamed over the target. An interrupted write leaves
/// the target intact and a temporary file that ``removeStaleTemporaries(in:)`` deletes on the
/// next run.
public enum AtomicFile {
    /// The infix that marks temporary files.
    public static let temporaryInfix = ".tmp-"

    public static func temporaryPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().appendingPathComponent(
            ".\(url.lastPathComponent)\(temporaryInfix)\(getpid())"
        ).path
    }

    /// Writes `bytes` to `path` atomically. Throws a one-line reason (`permission denied`, `no
    /// space left on device`, …) naming nothing but the failure.
    public static func write(_ bytes: some Collection<UInt8>, to path: String) throws(AtomicFileError) {
        let temporary = temporaryPath(for: path)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw AtomicFileError(errno: errno) }
        var failure: Int32 = 0
        let contiguous = Array(bytes)
        contiguous.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno; return
                }
                done += n
            }
        }
        if failure == 0, fsync(fd) != 0 { failure = errno }
        if close(fd) != 0, failure == 0 { failure = errno }
        if failure == 0, rename(temporary, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw AtomicFileError(errno: failure)
        }
    }

    /// Deletes the temporary files that interrupted writes left in `directory`; returns their names.
    @discardableResult
    public static func removeStaleTemporaries(in directory: String) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var removed = [String]()
        for name in names where isTemporary(name) {
            if unlink((directory as NSString).appendingPathComponent(name)) == 0 { removed.append(name) }
        }
        return removed
    }

    /// Whether `name` is one of our temporary files.
    public static func isTemporary(_ name: String) -> Bool {
        name.hasPrefix(".") && name.contains(temporaryInfix)
    }
}

/// Why a write failed, from `errno`, in words (`permission denied`, `no space left on device`).
public struct AtomicFileError: Error, Sendable, CustomStringConvertible {
    public var code: Int32
    public init(errno code: Int32) { self.code = code }
    public var description: String { String(cString: strerror(code)).lowercased() }
}
