import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The ends of a `gradscope/1` conversation as a ``Connection`` sees them: a descriptor to write
/// requests to, one to read answers from, optionally one with the program's stderr, and the
/// program's lifecycle when the checker owns it.
///
/// Two kinds: a ``ChildProcess`` the checker started (`--exec`), and ``InheritedPipes``, a peer
/// that is already running and handed the checker two descriptors (`--exec-fds`, which the
/// Python package uses to serve a function from the calling process).
protocol ProgramEndpoint: AnyObject {
    /// Write requests here (-1 once closed).
    var stdin: Int32 { get }
    /// Read answers here (-1 once closed).
    var stdout: Int32 { get }
    /// The program's stderr, or -1 when the checker does not see it.
    var stderr: Int32 { get }
    /// How the program ended, once known.
    var status: ProgramExit? { get }
    /// Whether the checker started (and so can kill and collect) the program.
    var ownsProcess: Bool { get }
    /// The program's process id (its process group's id) when the checker owns it; 0 for a peer.
    var pid: pid_t { get }
    /// A name for messages: "`python3 cost.py`" or "the program on descriptors 3:4".
    var label: String { get }
    func closeStdin()
    func closeOutput(_ fd: Int32)
    /// Whether the program's leader process has exited (a peer: never known, false).
    func leaderHasExited() -> Bool
    /// Waits up to `seconds` for the program to exit; true if it did (a peer: at once).
    func waitForExit(seconds: Double) -> Bool
    /// Stops the program if the checker owns it, collects it and closes every descriptor.
    @discardableResult func reap() -> ProgramExit
}

extension ChildProcess: ProgramEndpoint {
    var ownsProcess: Bool { true }
    var label: String { "the program (pid \(pid))" }
}

/// A peer that is already running: the checker reads its answers from `read` and writes
/// requests to `write`, two descriptors it inherited. The checker does not own the peer: it
/// never signals it; ending the conversation is `{"op": "exit"}` and closing `write`.
final class InheritedPipes: ProgramEndpoint {
    private(set) var stdin: Int32
    private(set) var stdout: Int32
    var stderr: Int32 { -1 }
    private(set) var status: ProgramExit?
    var ownsProcess: Bool { false }
    var pid: pid_t { 0 }
    let label: String

    /// Takes over `read` and `write` (made non-blocking and close-on-exec).
    /// - Throws: ``ExecError/io(_:)`` when either is not an open descriptor.
    init(read: Int32, write: Int32) throws(ExecError) {
        for (fd, role) in [(read, "read answers from"), (write, "write requests to")] {
            guard fd >= 0, fcntl(fd, F_GETFD) >= 0 else {
                throw .io(
                    "descriptor \(fd) (to \(role)) is not open in this process: the caller must pass on the descriptors it names"
                )
            }
        }
        stdout = read; stdin = write
        label = "the program on descriptors \(read):\(write)"
        for fd in [read, write] {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC)
        }
    }

    deinit { reap() }

    func closeStdin() { if stdin >= 0 { close(stdin); stdin = -1 } }

    func closeOutput(_ fd: Int32) { if fd == stdout, stdout >= 0 { close(stdout); stdout = -1 } }

    func leaderHasExited() -> Bool { false }

    func waitForExit(seconds: Double) -> Bool { true }

    @discardableResult
    func reap() -> ProgramExit {
        if let status { return status }
        closeStdin()
        closeOutput(stdout)
        status = .exited(0)
        return .exited(0)
    }
}
