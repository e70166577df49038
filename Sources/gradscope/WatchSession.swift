import Dispatch
import Exec
import Foundation
import Training

#if canImport(Glibc)
import Glibc
#endif

/// One `gradscope watch` run of a program: starts it with `GRADSCOPE_WATCH` set, passes its
/// output through, follows its stream, shows progress and the warnings of the rules as they
/// fire, and passes Ctrl-C on.
struct WatchSession {
    let command: [String]
    let streamPath: String
    /// With `--format json` the program's stdout goes to stderr, so that stdout holds only JSON.
    let programOutputToStderr: Bool
    let quiet: Bool

    struct Outcome {
        var stream: WatchStream?
        var streamError: WatchStreamError?
        var exit: ProgramExit
        var stderrTail: String
        /// The signal passed on to the program (SIGINT, SIGTERM or SIGHUP), if one was.
        var interruption: Int32?
        var seconds: Double

        var interrupted: Bool { interruption != nil }
    }

    /// How long output is still passed through after the program itself exited (a process it
    /// left behind may hold its pipes); then the group is killed.
    static let drainSeconds = 2.0
    /// Live warnings: the rules run at most this often while samples arrive.
    static let diagnosisInterval = 1.0

    /// Runs the program to its end, then `report` on what happened; the signal dispositions
    /// are restored only after `report` (which writes the outputs) returns.
    func run<Report>(_ report: (Outcome) throws -> Report) throws -> Report {
        var environment = ProcessInfo.processInfo.environment
        environment["GRADSCOPE_WATCH"] = streamPath
        if environment["PYTHONUNBUFFERED"] == nil { environment["PYTHONUNBUFFERED"] = "1" }
        let started = Clock.now
        let child: ChildProcess
        do { child = try ChildProcess(arguments: command, environment: environment) } catch {
            throw CLIError.evaluation("cannot start \(command.joined(separator: " ")): \(error)")
        }
        child.closeStdin()
        let signals = SignalForwarder(pid: child.pid)
        signals.install()
        defer { signals.uninstall() }

        var follower = StreamFollower(path: streamPath)
        defer { follower.close() }
        var tail = OutputTail()
        let progress = WatchProgress(quiet: quiet)
        var lastDiagnosis = Clock.now
        var warned = Set<TrainingFinding.Code>()
        var sampleSinceDiagnosis = false

        func follow(final: Bool) {
            let handle: (WatchStream.Event, WatchStream) -> Void = { event, stream in
                switch event {
                case .sample: sampleSinceDiagnosis = true; progress.sample(stream.history)
                case .epoch: if let e = stream.history.epochs.last { progress.epoch(e) }
                case .hello: for note in stream.notes { progress.note(note) }
                case .loss, .end, .blank: break
                }
            }
            if final { follower.finish(handle) } else { follower.poll(handle) }
            guard let stream = follower.reader.stream, sampleSinceDiagnosis,
                final || Clock.now - lastDiagnosis >= Self.diagnosisInterval
            else { return }
            lastDiagnosis = Clock.now
            sampleSinceDiagnosis = false
            for finding in Diagnosis.diagnose(stream.history, stop: .completed, run: stream.run)
            where !warned.contains(finding.code) {
                warned.insert(finding.code)
                progress.warning(finding)
            }
        }

        var exitedAt: Double?
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            var fds = [child.stdout, child.stderr].filter { $0 >= 0 }.map {
                pollfd(fd: $0, events: Int16(POLLIN), revents: 0)
            }
            if fds.isEmpty {
                if exitedAt == nil { _ = child.waitForExit(seconds: 0.1) }
            } else {
                _ = poll(&fds, nfds_t(fds.count), 100)
            }
            for fd in [child.stdout, child.stderr] where fd >= 0 {
                while true {
                    let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                    if n > 0 {
                        let toStderr = fd == child.stderr || programOutputToStderr
                        buffer.withUnsafeBufferPointer { bytes in
                            let chunk = UnsafeBufferPointer(rebasing: bytes[0..<n])
                            if fd == child.stderr { tail.append(chunk) }
                            progress.passThrough(chunk, toStderr: toStderr)
                        }
                        continue
                    }
                    if n == 0 || (errno != EAGAIN && errno != EINTR) { child.closeOutput(fd) }
                    break
                }
            }
            follow(final: false)
            if exitedAt == nil && child.leaderHasExited() { exitedAt = Clock.now }
            if let exitedAt, child.stdout < 0 && child.stderr < 0 || Clock.now - exitedAt > Self.drainSeconds {
                break
            }
        }
        let exit = signals.reap(child)
        follow(final: true)
        progress.finish()
        let outcome = Outcome(
            stream: follower.error == nil ? follower.reader.stream : nil, streamError: follower.error, exit: exit,
            stderrTail: tail.summary(), interruption: signals.interruption, seconds: Clock.now - started)
        return try report(outcome)
    }
}

/// Passes SIGINT, SIGTERM and SIGHUP on to the program's process group (which a terminal's
/// Ctrl-C does not reach); a second one kills the group.
///
/// A signal gradscope was started with ignored stays ignored and is not passed on (`nohup`
/// ignores SIGHUP, a shell's background job SIGINT): the program, in a group of its own, is
/// then as immune as gradscope. SIGPIPE is ignored for good: a reader of gradscope's output
/// that goes away (`| head`) must not take the training with it (the writes fail with EPIPE
/// and the output is dropped instead). ``uninstall()`` restores the earlier dispositions,
/// with `sigaction`, once the outputs are written.
final class SignalForwarder: @unchecked Sendable {
    static let forwarded = [SIGINT, SIGTERM, SIGHUP]

    private let pid: pid_t
    private let lock = NSLock()
    private var reaped = false
    private var count = 0
    private var first: Int32?
    private var sources = [DispatchSourceSignal]()
    private var previous: [(signal: Int32, action: sigaction)] = []

    init(pid: pid_t) { self.pid = pid }

    /// The signal that interrupted the run, if one did: SIGINT, SIGTERM or SIGHUP.
    var interruption: Int32? {
        lock.lock(); defer { lock.unlock() }
        return first
    }

    func install() {
        signal(SIGPIPE, SIG_IGN)
        for number in Self.forwarded {
            var old = sigaction()
            sigaction(number, nil, &old)
            if Self.isIgnored(old) { continue }
            var ignore = sigaction()
            ignore.__sigaction_handler.sa_handler = SIG_IGN
            sigemptyset(&ignore.sa_mask)
            sigaction(number, &ignore, nil)
            previous.append((number, old))
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in forward(number) }
            source.resume()
            sources.append(source)
        }
    }

    func uninstall() {
        for source in sources { source.cancel() }
        sources = []
        for (number, var old) in previous { sigaction(number, &old, nil) }
        previous = []
    }

    private static func isIgnored(_ action: sigaction) -> Bool {
        guard let handler = action.__sigaction_handler.sa_handler else { return false }
        return unsafeBitCast(handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
    }

    private func forward(_ number: Int32) {
        lock.lock(); defer { lock.unlock() }
        guard !reaped else { return }
        count += 1
        if first == nil { first = number }
        // The leader is not yet collected, so its pid (= the group id) is still its own.
        kill(-pid, count == 1 ? number : SIGKILL)
    }

    /// Collects the program (killing what is left of its group) under the lock, so that no
    /// signal is sent to a pid that may have been reused.
    func reap(_ child: ChildProcess) -> ProgramExit {
        lock.lock(); defer { lock.unlock() }
        reaped = true
        return child.reap()
    }
}
