import CProcessSpawn
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A program started with `/bin/sh -c command` in a process group of its own, with its stdin,
/// stdout and stderr on pipes.
///
/// Contract:
/// - The child's process group id is its pid, so ``terminate()`` reaches everything the shell
///   started (pipelines, grandchildren); a terminal's Ctrl-C does not reach the group, which is
///   why ``ChildRegistry`` kills live groups when the parent is interrupted.
/// - The child starts with an empty signal mask and default dispositions for SIGINT, SIGTERM,
///   SIGHUP, SIGQUIT and SIGPIPE, whatever the parent ignores or blocks.
/// - The parent's pipe ends are close-on-exec (no sibling inherits another's stdin, so closing
///   it is an end of input) and non-blocking (read and write after `poll`).
/// - ``reap()`` always kills the group and collects the exit status: no zombies.
/// - On Linux the program is killed when the thread that started it dies (`PR_SET_PDEATHSIG`),
///   so a checker killed with SIGKILL leaves no program behind; start objectives from a
///   long-lived thread.
///
/// `gradscope check --exec` talks `gradscope/1` with it; `gradscope watch` runs a training
/// program with it and passes its output through.
public final class ChildProcess {
    public let pid: pid_t
    /// The parent's ends: write to the child's stdin, read its stdout and stderr (-1 once closed).
    public private(set) var stdin: Int32
    public private(set) var stdout: Int32
    public private(set) var stderr: Int32
    public private(set) var status: ProgramExit?

    /// Runs `command` with `/bin/sh -c` (a shell command line).
    public convenience init(command: String, environment: [String: String]) throws(ExecError) {
        try self.init(shellArguments: ["-c", command], describing: command, environment: environment)
    }

    /// Runs the program `arguments[0]` (looked up in `PATH` like a shell does) with the
    /// arguments that follow, unquoted: no shell interprets them.
    public convenience init(arguments: [String], environment: [String: String]) throws(ExecError) {
        precondition(!arguments.isEmpty, "ChildProcess(arguments:) needs a program")
        try self.init(
            shellArguments: ["-c", #"exec "$0" "$@""#] + arguments,
            describing: arguments.joined(separator: " "), environment: environment)
    }

    private init(
        shellArguments: [String], describing command: String, environment: [String: String]
    ) throws(ExecError) {
        var pipes = [(read: Int32, write: Int32)]()
        for _ in 0..<3 {
            guard let p = Self.makePipe() else {
                for p in pipes { close(p.read); close(p.write) }
                throw .spawnFailed(
                    command: command, reason: "cannot create a pipe: \(String(cString: strerror(errno)))")
            }
            pipes.append(p)
        }
        let (input, output, errors) = (pipes[0], pipes[1], pipes[2])
        var spawned: pid_t = 0
        let result = ChildRegistry.shared.spawning { () -> (Int32, pid_t?) in
            let r = Self.spawn(
                &spawned, shellArguments: shellArguments, stdin: input.read, stdout: output.write,
                stderr: errors.write, environment: environment)
            return (r, r == 0 ? spawned : nil)
        }
        close(input.read); close(output.write); close(errors.write)
        guard result == 0 else {
            close(input.write); close(output.read); close(errors.read)
            throw .spawnFailed(command: command, reason: String(cString: strerror(result)))
        }
        pid = spawned
        stdin = input.write; stdout = output.read; stderr = errors.read
        for fd in [stdin, stdout, stderr] { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
    }

    deinit { if status == nil { _ = reap() } }

    /// A close-on-exec pipe whose ends are both ≥ 3, so that `dup2` onto 0, 1, 2 in the child
    /// never meets an end already sitting there (the parent's own stdin may be closed).
    static func makePipe() -> (read: Int32, write: Int32)? {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return nil }
        var moved = [Int32]()
        for fd in fds {
            let high = fcntl(fd, F_DUPFD_CLOEXEC, 3)
            close(fd)
            guard high >= 0 else { for m in moved { close(m) }; return nil }
            moved.append(high)
        }
        return (moved[0], moved[1])
    }

    /// Starts `/bin/sh shellArguments…` through ``gradscope_spawn`` (fork, `PR_SET_PDEATHSIG`
    /// on Linux, exec): the program is killed with the checker, SIGKILL included.
    static func spawn(
        _ pid: inout pid_t, shellArguments: [String], stdin: Int32, stdout: Int32, stderr: Int32,
        environment: [String: String]
    ) -> Int32 {
        let arguments: [UnsafeMutablePointer<CChar>?] = (["sh"] + shellArguments).map { strdup($0) }
        let variables: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") }
        defer { for p in arguments + variables { free(p) } }
        return gradscope_spawn(&pid, "/bin/sh", arguments + [nil], variables + [nil], stdin, stdout, stderr, 1)
    }

    /// Closes the child's stdin: an end of input, which a `gradscope/1` program answers by exiting.
    public func closeStdin() {
        if stdin >= 0 { close(stdin); stdin = -1 }
    }

    /// Whether the leader (the shell, or the program it became) has exited, without collecting
    /// its status: its pid stays reserved, so the group can still be killed safely.
    public func leaderHasExited() -> Bool {
        status != nil || Exec.leaderHasExited(pid)
    }

    /// Waits up to `seconds` for the leader to exit; true if it did.
    public func waitForExit(seconds: Double) -> Bool {
        let deadline = Clock.now + seconds
        var pause: useconds_t = 200
        while !leaderHasExited() {
            if Clock.now >= deadline { return false }
            usleep(pause)
            pause = min(pause * 2, 10_000)
        }
        return true
    }

    /// Kills the whole process group, collects the leader's status, closes the pipes and
    /// unregisters. Idempotent; returns how the leader ended.
    @discardableResult
    public func reap() -> ProgramExit {
        if let status { return status }
        ChildRegistry.shared.remove(pid)
        // The leader is alive or a zombie, so its pid (= the group id) cannot have been reused.
        kill(-pid, SIGKILL)
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
        let ended: ProgramExit = raw & 0x7f == 0 ? .exited((raw >> 8) & 0xff) : .signaled(raw & 0x7f)
        status = ended
        closeStdin()
        if stdout >= 0 { close(stdout); stdout = -1 }
        if stderr >= 0 { close(stderr); stderr = -1 }
        return ended
    }

    /// Sends `signal` to the program's whole process group (no-op once it was reaped): how a
    /// Ctrl-C that the terminal does not deliver to the group is passed on.
    public func signalGroup(_ signal: Int32) {
        guard status == nil else { return }
        // Not yet collected: the leader's pid (= the group id) cannot have been reused.
        kill(-pid, signal)
    }

    /// Closes the read end of stdout or stderr (after end of file).
    public func closeOutput(_ fd: Int32) {
        if fd == stdout, stdout >= 0 { close(stdout); stdout = -1 }
        if fd == stderr, stderr >= 0 { close(stderr); stderr = -1 }
    }
}

/// Monotonic seconds.
public enum Clock {
    public static var now: Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + 1e-9 * Double(t.tv_nsec)
    }
}
