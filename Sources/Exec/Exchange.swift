import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Drives several ``Connection``s at once from one thread with `poll`: writes their queued
/// requests as their stdins take them, reads their answers as they come (requests are
/// pipelined: a copy may be answering request 3 while request 500 is still being written), and
/// drains their stderr so that no child ever blocks on a full pipe.
///
/// Timeout: each line must arrive within `timeout` seconds of the previous line from the same
/// copy (or of the start), so a slow batch is fine as long as the program keeps answering.
///
/// A program whose leader process exits while a grandchild still holds its stdout is reported
/// as ended (with its exit status) within ``leaderCheckInterval``, not after the timeout.
enum Exchange {
    /// How often a copy that is awaited is checked for an exited leader.
    static let leaderCheckInterval = 0.1

    /// Collects `expected[k]` lines from `connections[k]` (after sending what is queued),
    /// handing each to `handle(k, line number, value)` in order.
    ///
    /// - Parameter awaited: the line awaited from copy k after `line` lines, for errors.
    /// - Throws: the first failure of any copy: ended (collected), timed out (killed and
    ///   collected), not JSON, or what `handle` throws. The caller stops the other copies: their
    ///   requests are still in flight, so they cannot be used again.
    static func collect(
        _ connections: [Connection], expected: [Int], timeout: Double,
        awaited: (_ k: Int, _ line: Int) -> Awaited,
        handle: (_ k: Int, _ line: Int, _ value: JSONValue) throws(ExecError) -> Void
    ) throws(ExecError) {
        var received = [Int](repeating: 0, count: connections.count)
        var now = Clock.now
        var deadlines = [Double](repeating: now + timeout, count: connections.count)
        var fds = [pollfd]()
        var active = [Int]()
        var lastLeaderCheck = now
        for c in connections { try c.writePending() }  // most requests fit the pipe at once
        while true {
            active.removeAll(keepingCapacity: true)
            for (k, c) in connections.enumerated() where received[k] < expected[k] {
                while received[k] < expected[k],
                    let value = try c.takeLine(awaited: { awaited(k, received[k]) })
                {
                    try handle(k, received[k], value)
                    received[k] += 1
                    deadlines[k] = now + timeout
                }
                if received[k] < expected[k] { active.append(k) }
            }
            if active.isEmpty { return }
            var nearest = Double.infinity
            var drained = false
            let checkLeaders = now - lastLeaderCheck >= leaderCheckInterval
            if checkLeaders { lastLeaderCheck = now }
            for k in active {
                let c = connections[k]
                if c.stdoutEnded { throw c.endedError(awaited: awaited(k, received[k])) }
                if checkLeaders && c.process.leaderHasExited() {
                    if c.drainedAfterExit { throw c.endedError(awaited: awaited(k, received[k])) }
                    c.drainedAfterExit = true
                    try c.readStdout()
                    drained = true
                }
                if now >= deadlines[k] { throw c.timeoutError(seconds: timeout, awaited: awaited(k, received[k])) }
                nearest = min(nearest, deadlines[k])
            }
            if drained {
                // Take what the exited leader wrote before the next check.
                lastLeaderCheck = now - leaderCheckInterval
                continue
            }
            nearest = min(nearest, now + leaderCheckInterval)
            fds.removeAll(keepingCapacity: true)
            for k in active { fds += connections[k].pollDescriptors() }
            let milliseconds = Int32(min(max(0, (nearest - now) * 1000).rounded(.up), 3_600_000))
            let ready = poll(&fds, nfds_t(fds.count), milliseconds)
            if ready < 0 && errno != EINTR {
                throw .io("poll failed: \(String(cString: strerror(errno)))")
            }
            if ready > 0 {
                for (slot, k) in active.enumerated() {
                    try connections[k].service(fds[(3 * slot)..<(3 * slot + 3)])
                }
            }
            now = Clock.now
        }
    }
}
