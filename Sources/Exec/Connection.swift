import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One running copy of the program: its process, the bytes queued for its stdin, the lines read
/// from its stdout, and the tail of its stderr. ``Exchange`` drives several at once with `poll`.
final class Connection {
    let process: any ProgramEndpoint
    /// 1-based, for messages when there are several copies.
    let job: Int
    /// The next request id.
    var nextID = 1
    /// Bytes queued for stdin and how many of them are written.
    private var pending = [UInt8]()
    private var written = 0
    /// stdout bytes not yet consumed as lines: `input[consumed...]`.
    private var input = [UInt8]()
    private var consumed = 0
    private(set) var stdoutEnded = false
    /// The leader exited while stdout stayed open (a grandchild holds it): what it wrote
    /// before it ended has been read once more; if an answer is still missing, it crashed.
    var drainedAfterExit = false
    private(set) var stderrTail = OutputTail()
    /// Reused for every read of stdout and stderr.
    private var chunk = [UInt8](repeating: 0, count: 65536)
    /// The longest line accepted: ``helloLineLimit`` until the hello, then set from the
    /// number of values an answer carries (``answerLineLimit(numbers:)``). Reading stops there,
    /// so a program that never writes a newline cannot make the checker buffer without bound.
    var lineLimit = Connection.helloLineLimit

    /// A hello may carry a point of about ten million parameters.
    static let helloLineLimit = 256 << 20
    static let answerLineFloor = 1 << 20
    /// The stdout buffer kept between lines; a larger one (from a long line) is released.
    static let keptInputCapacity = 4 << 20
    static let answerBytesPerNumber = 48

    /// The limit for an answer that carries `numbers` values (a gradient, outputs): 1 MiB plus
    /// 48 bytes per value (a number written in full takes at most 24).
    static func answerLineLimit(numbers: Int) -> Int {
        let (bytes, overflow) = numbers.multipliedReportingOverflow(by: answerBytesPerNumber)
        return overflow ? Int.max / 2 : answerLineFloor + bytes
    }

    init(command: String, environment: [String: String], job: Int) throws(ExecError) {
        process = try ChildProcess(command: command, environment: environment)
        self.job = job
    }

    /// A conversation with a peer that is already running (``InheritedPipes``).
    init(endpoint: any ProgramEndpoint, job: Int) {
        process = endpoint
        self.job = job
    }

    var hasPendingOutput: Bool { (written < pending.count || outboxHead < outbox.count) && process.stdin >= 0 }

    func queue(_ bytes: [UInt8]) {
        if written == pending.count { pending.removeAll(keepingCapacity: true); written = 0 }
        pending.append(contentsOf: bytes)
    }

    /// Queues requests; their lines are written out a piece (``writePiece`` bytes) at a time
    /// as stdin takes them (``RequestEncoder``).
    func queue(_ requests: some Sequence<(request: Request, id: Int)>) {
        if outboxHead == outbox.count { outbox.removeAll(keepingCapacity: true); outboxHead = 0 }
        for (request, id) in requests { outbox.append(RequestEncoder(request, id: id)) }
    }

    /// Requests not yet written in full, oldest first from `outboxHead`.
    private var outbox = [RequestEncoder]()
    private var outboxHead = 0
    /// How many bytes of request text are prepared at a time.
    static let writePiece = 1 << 20

    /// Moves the next piece of queued request text into `pending` once it is all written.
    private func refill() {
        guard written == pending.count, outboxHead < outbox.count else { return }
        pending.removeAll(keepingCapacity: true)
        written = 0
        while pending.count < Self.writePiece && outboxHead < outbox.count {
            outbox[outboxHead].encode(into: &pending, limit: Self.writePiece)
            if outbox[outboxHead].isDone { outboxHead += 1 }
        }
        if outboxHead == outbox.count { outbox.removeAll(keepingCapacity: true); outboxHead = 0 }
    }

    /// The next complete line of stdout, parsed (blank lines are skipped; a trailing CR is
    /// dropped); nil when no complete line has arrived yet.
    func takeLine(awaited: () -> Awaited) throws(ExecError) -> JSONValue? {
        while true {
            let found: Int? = input.withUnsafeBufferPointer { buffer -> Int? in
                guard consumed < buffer.count,
                    let hit = memchr(buffer.baseAddress! + consumed, 0x0A, buffer.count - consumed)
                else { return nil }
                return UnsafeRawPointer(hit) - UnsafeRawPointer(buffer.baseAddress!)
            }
            guard let newline = found else {
                if input.count - consumed > lineLimit { throw .lineTooLong(limit: lineLimit, awaited: awaited()) }
                compact()
                return nil
            }
            var end = newline
            if end > consumed && input[end - 1] == 0x0D { end -= 1 }
            let start = consumed
            consumed = newline + 1
            if input[start..<end].allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let parsed = input.withUnsafeBufferPointer { buffer in
                Result { () throws(JSONSyntaxError) -> JSONValue in
                    try JSONLineParser.parse(UnsafeBufferPointer(rebasing: buffer[start..<end]))
                }
            }
            switch parsed {
            case .success(let value): return value
            case .failure(let error):
                throw .notJSON(
                    line: String(decoding: input[start..<end], as: UTF8.self), reason: error.description,
                    awaited: awaited())
            }
        }
    }

    private func compact() {
        if consumed == input.count && input.capacity > Self.keptInputCapacity {
            // A long line (a hello, a gradient) is done: give its buffer back.
            input = []
            consumed = 0
        } else if consumed > 0 && consumed * 2 >= input.count {
            input.removeFirst(consumed)
            consumed = 0
        }
    }

    /// The descriptors to poll: stdout and stderr for reading, stdin when bytes are pending.
    func pollDescriptors() -> [pollfd] {
        [
            pollfd(fd: process.stdout, events: Int16(POLLIN), revents: 0),
            pollfd(fd: process.stderr, events: Int16(POLLIN), revents: 0),
            pollfd(fd: hasPendingOutput ? process.stdin : -1, events: Int16(POLLOUT), revents: 0)
        ]
    }

    /// Acts on `poll`'s answer for ``pollDescriptors()``: writes what stdin takes, reads what
    /// stdout and stderr have.
    func service(_ fds: ArraySlice<pollfd>) throws(ExecError) {
        let (out, err, inp) = (fds[fds.startIndex], fds[fds.startIndex + 1], fds[fds.startIndex + 2])
        if inp.revents != 0 { try writePending() }
        if err.revents != 0 { drainStderr() }
        if out.revents != 0 { try readStdout() }
    }

    func writePending() throws(ExecError) {
        while hasPendingOutput {
            refill()
            let n = pending.withUnsafeBytes { raw in
                write(process.stdin, raw.baseAddress! + written, raw.count - written)
            }
            if n > 0 { written += n; continue }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return }
            // EPIPE: the program closed its stdin (it is probably exiting); its stdout says how.
            process.closeStdin()
            return
        }
    }

    func readStdout() throws(ExecError) {
        while process.stdout >= 0 {
            let n = chunk.withUnsafeMutableBytes { read(process.stdout, $0.baseAddress!, $0.count) }
            if n > 0 {
                input.append(contentsOf: chunk[0..<n])
                if n < chunk.count || input.count - consumed > lineLimit { return }
            } else if n == 0 {
                stdoutEnded = true
                process.closeOutput(process.stdout)
            } else if errno == EINTR {
                continue
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                return
            } else {
                throw .io("cannot read the program's stdout: \(String(cString: strerror(errno)))")
            }
        }
    }

    func drainStderr() {
        while process.stderr >= 0 {
            let n = chunk.withUnsafeMutableBytes { read(process.stderr, $0.baseAddress!, $0.count) }
            if n > 0 {
                chunk.withUnsafeBufferPointer { stderrTail.append(UnsafeBufferPointer(rebasing: $0[0..<n])) }
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                if n == 0 { process.closeOutput(process.stderr) }
                return
            }
        }
    }

    /// Reads stderr until it ends or `seconds` pass (after the program ended or was killed).
    func collectStderr(seconds: Double) {
        let deadline = Clock.now + seconds
        while process.stderr >= 0 {
            let left = deadline - Clock.now
            if left <= 0 { return }
            var fd = pollfd(fd: process.stderr, events: Int16(POLLIN), revents: 0)
            if poll(&fd, 1, Int32((left * 1000).rounded(.up))) > 0 { drainStderr() }
        }
    }

    /// The error for a program whose stdout ended: waits briefly for it to exit, keeps what it
    /// wrote to stderr, and collects it.
    func endedError(awaited: Awaited) -> ExecError {
        if !process.ownsProcess {
            process.reap()
            return .io("\(process.label) closed its end of the conversation before \(awaited.gerund)")
        }
        let exited = process.waitForExit(seconds: 2)
        collectStderr(seconds: 0.5)
        let status = process.reap()
        let tail = stderrTail.summary()
        return exited
            ? .exited(status: status, awaited: awaited, stderr: tail)
            : .io("the program closed its stdout before \(awaited.gerund)\(ExecError.quote(tail))")
    }

    /// The error for a program that did not answer in time: kills its process group first.
    func timeoutError(seconds: Double, awaited: Awaited) -> ExecError {
        if let child = process as? ChildProcess { kill(-child.pid, SIGKILL) }
        collectStderr(seconds: 0.5)
        process.reap()
        return .timeout(seconds: seconds, awaited: awaited, stderr: stderrTail.summary())
    }

    /// Asks the program to exit (`{"op": "exit"}` and end of input), without waiting.
    func requestExit() {
        guard process.status == nil, process.stdin >= 0 else { return }
        queue(Array(#"{"op":"exit"}"#.utf8) + [0x0A])
        try? writePending()
        process.closeStdin()
    }

    /// Waits up to `grace` seconds for the program to exit, then kills what is left of its
    /// process group and collects it.
    func finish(grace: Double) {
        guard process.status == nil else { return }
        if grace > 0 { _ = process.waitForExit(seconds: grace) }
        process.reap()
    }
}
