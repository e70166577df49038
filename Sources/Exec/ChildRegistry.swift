import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process groups of every live ``ChildProcess``, so that an interrupted checker can stop
/// them: children run in groups of their own, which a terminal's Ctrl-C does not reach.
final class ChildRegistry: @unchecked Sendable {
    static let shared = ChildRegistry()
    private let lock = NSLock()
    private var groups = Set<pid_t>()

    /// Runs `spawn` under the registry's lock and registers the pid it returns, so that an
    /// interrupt cannot fall between the spawn and the registration.
    func spawning<R>(_ spawn: () -> (R, pid_t?)) -> R {
        lock.lock(); defer { lock.unlock() }
        let (result, pid) = spawn()
        if let pid { groups.insert(pid) }
        return result
    }

    func remove(_ pid: pid_t) {
        lock.lock(); defer { lock.unlock() }
        groups.remove(pid)
    }

    var live: [pid_t] {
        lock.lock(); defer { lock.unlock() }
        return Array(groups)
    }

    /// SIGTERM to every live group, up to `grace` seconds for the leaders to exit, then SIGKILL
    /// and collect every leader's status (no zombies); then exits with `status`, after writing
    /// `message` to stderr. The lock is never released: no child starts meanwhile, and a thread
    /// that sees its child die blocks in ``remove(_:)`` instead of reporting that death.
    func terminateAll(grace: Double = 0.2, thenExit status: Int32, message: String?) -> Never {
        lock.lock()
        for pid in groups { kill(-pid, SIGTERM) }
        let deadline = Clock.now + grace
        while Clock.now < deadline && !groups.allSatisfy(leaderHasExited) { usleep(2_000) }
        // Leaders not yet collected keep their pids, so the group ids are still theirs.
        for pid in groups {
            kill(-pid, SIGKILL)
            var raw: Int32 = 0
            while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
        }
        if let message { FileHandle.standardError.write(Data((message + "\n").utf8)) }
        exit(status)
    }
}

/// Whether process `pid` (a child of this process) has exited, without collecting its status:
/// until it is collected its pid, and so its process group id, cannot be reused.
func leaderHasExited(_ pid: pid_t) -> Bool {
    var info = siginfo_t()
    guard waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 else { return errno != EINTR }
    #if canImport(Glibc)
    return info._sifields._kill.si_pid != 0
    #else
    return info.si_pid != 0
    #endif
}

/// Stops every `--exec` child when the checker is interrupted.
public enum InterruptCleanup {
    nonisolated(unsafe) private static var sources = [DispatchSourceSignal]()
    private static let lock = NSLock()

    /// From now on SIGINT, SIGTERM and SIGHUP stop every live child process group (SIGTERM,
    /// 0.2 s grace, SIGKILL, reaped) and then exit with 128 + the signal number, after
    /// `message` (if any) is written to stderr. Idempotent.
    public static func install(message: String? = nil) {
        lock.lock(); defer { lock.unlock() }
        guard sources.isEmpty else { return }
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                ChildRegistry.shared.terminateAll(thenExit: 128 + signalNumber, message: message)
            }
            source.resume()
            sources.append(source)
        }
    }
}
