import Foundation
import GradCheck
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Any program's cost function and hand-written gradient, as a ``GradientObjective``: the
/// program is started with `sh -c command` and spoken to over the `gradscope/1` line protocol
/// (see docs/exec.md; ``Hello``, ``Request``, ``Response``).
///
/// With `jobs` > 1, that many copies run side by side; each sends its own hello, and all must
/// announce the same point, blocks and dtype. A batch of offsets (``values(at:)``) is split into
/// contiguous runs, one per copy, sent pipelined, and reassembled in order.
///
/// Every failure (the program crashes, hangs past `timeout`, writes non-JSON, answers the wrong
/// id, sends a gradient of the wrong length, answers an error) is one line naming the request,
/// and leaves the objective broken: later calls fail with the same message. Call ``close()``
/// when done; children are also stopped when the objective is released, and by
/// ``InterruptCleanup`` on SIGINT/SIGTERM.
public struct ExecObjective: GradientObjective {
    public let command: String
    public let hello: Hello
    public let precision: Precision
    public var blocks: [ObjectiveBlock] { hello.blocks }
    public var point: [Double] { hello.x }
    public var exampleCount: Int? { hello.examples }
    public var jobs: Int { pool.connections.count }
    let pool: ConnectionPool

    /// Starts `jobs` copies of `command` and reads their hellos.
    ///
    /// - Parameters:
    ///   - timeout: seconds each answer (and the hello) may take.
    ///   - precision: overrides the hello's `dtype` when given.
    ///   - environment: the children's environment (default: this process's), plus
    ///     `GRADSCOPE_JOB` (1…jobs) and `GRADSCOPE_JOBS`, and `PYTHONUNBUFFERED=1` unless set.
    /// - Throws: ``ExecError`` when a copy cannot start, sends no valid hello in time, or the
    ///   copies' hellos differ.
    public init(
        command: String, jobs: Int = 1, timeout: Double = 60, precision: Precision? = nil,
        environment: [String: String]? = nil
    ) throws(ExecError) {
        precondition(jobs >= 1, "ExecObjective: jobs must be at least 1, got \(jobs)")
        precondition(timeout > 0, "ExecObjective: timeout must be positive, got \(timeout)")
        signal(SIGPIPE, SIG_IGN)  // a dead child's stdin must give EPIPE, not kill the checker
        var base = environment ?? ProcessInfo.processInfo.environment
        if base["PYTHONUNBUFFERED"] == nil { base["PYTHONUNBUFFERED"] = "1" }
        base["GRADSCOPE_JOBS"] = String(jobs)
        try self.init(label: command, jobs: jobs, timeout: timeout, precision: precision) { job throws(ExecError) in
            var env = base
            env["GRADSCOPE_JOB"] = String(job)
            return try Connection(command: command, environment: env, job: job)
        }
    }

    /// Talks to peers that are already running, one per (read, write) pair of inherited
    /// descriptors: each sends its hello on `read` and answers the requests written to `write`
    /// (`gradscope check --exec-fds`, which the Python package uses to serve a function from the
    /// calling process). The checker never signals the peers; ``close()`` sends
    /// `{"op": "exit"}` and closes the descriptors.
    public init(
        descriptors: [(read: Int32, write: Int32)], label: String? = nil, timeout: Double = 60,
        precision: Precision? = nil
    ) throws(ExecError) {
        precondition(!descriptors.isEmpty, "ExecObjective: no descriptors")
        precondition(timeout > 0, "ExecObjective: timeout must be positive, got \(timeout)")
        signal(SIGPIPE, SIG_IGN)
        let name =
            label ?? "program on descriptors " + descriptors.map { "\($0.read):\($0.write)" }.joined(separator: ",")
        try self.init(label: name, jobs: descriptors.count, timeout: timeout, precision: precision) {
            job throws(ExecError) in
            let pair = descriptors[job - 1]
            return Connection(endpoint: try InheritedPipes(read: pair.read, write: pair.write), job: job)
        }
    }

    /// Opens `jobs` connections with `open(job)` (1-based) and reads and compares their hellos.
    init(
        label: String, jobs: Int, timeout: Double, precision: Precision?,
        open: (Int) throws(ExecError) -> Connection
    ) throws(ExecError) {
        var connections = [Connection]()
        let pool = ConnectionPool(timeout: timeout)
        do throws(ExecError) {
            for job in 1...jobs { connections.append(try open(job)) }
            pool.connections = connections
            var hellos = [Hello?](repeating: nil, count: jobs)
            try Exchange.collect(
                connections, expected: Array(repeating: 1, count: jobs), timeout: timeout,
                awaited: { k, _ in .hello(job: jobs > 1 ? k + 1 : nil) },
                handle: { k, _, value throws(ExecError) in hellos[k] = try Hello(value) })
            let first = hellos[0]!
            for k in 1..<jobs {
                if let difference = hellos[k]!.difference(from: first) {
                    throw ExecError.helloMismatch(job: k + 1, difference: difference)
                }
            }
            self.hello = first
        } catch {
            pool.connections = connections
            pool.close(grace: 0)
            throw error
        }
        self.command = label
        self.precision = precision ?? hello.precision
        self.pool = pool
        pool.blocks = hello.blocks
        pool.count = hello.x.count
        pool.outputCount = hello.outputCount
        let numbers = hello.x.count + (hello.outputCount ?? 0)
        for c in connections { c.lineLimit = Connection.answerLineLimit(numbers: numbers) }
    }

    public func valueAndGradient() throws(EvaluationError) -> (value: Double, gradient: [Double]) {
        let response = try evaluating([Request(gradient: true)])[0]
        return (response.value, response.gradient ?? [])
    }

    public func values(at offsets: [Perturbation]) throws(EvaluationError) -> [Sample] {
        try evaluating(offsets.map { Request(offset: $0) }).map { Sample(value: $0.value) }
    }

    /// Whether the program announced outputs (a vector-valued function with a backward pass).
    public var isVectorValued: Bool { hello.outputs != nil }

    func evaluating(_ requests: [Request]) throws(EvaluationError) -> [Response] {
        do throws(ExecError) { return try evaluate(requests) } catch { throw .failed(error.description) }
    }

    /// Sends `requests` (split over the copies) and returns the answers in order.
    public func evaluate(_ requests: [Request]) throws(ExecError) -> [Response] {
        try pool.evaluate(requests)
    }

    /// Asks every copy to exit, waits up to `grace` seconds, then kills and collects what is
    /// left (a broken objective's copies are killed at once). Idempotent.
    public func close(grace: Double = 1) {
        pool.close(grace: grace)
    }
}

/// The copies behind an ``ExecObjective``, used by one caller at a time.
final class ConnectionPool: @unchecked Sendable {
    var connections = [Connection]()
    var blocks = [ObjectiveBlock]()
    var count = 0
    /// A vector-valued program's number of outputs.
    var outputCount: Int?
    let timeout: Double
    private let lock = NSLock()
    private var broken: ExecError?
    private var closed = false

    init(timeout: Double) { self.timeout = timeout }

    deinit { close(grace: 0) }

    func evaluate(_ requests: [Request]) throws(ExecError) -> [Response] {
        lock.lock(); defer { lock.unlock() }
        if let broken { throw broken }
        if closed { throw .io("the program was already closed") }
        if requests.isEmpty { return [] }
        let used = min(connections.count, requests.count)
        // Contiguous runs: copy k answers requests[starts[k]..<starts[k + 1]].
        let starts = (0...used).map { requests.count * $0 / used }
        var ids = [[Int]]()
        for k in 0..<used {
            let c = connections[k]
            let runIDs = Array(c.nextID..<(c.nextID + starts[k + 1] - starts[k]))
            c.nextID += runIDs.count
            ids.append(runIDs)
            c.queue(zip(requests[starts[k]..<starts[k + 1]], runIDs).map { (request: $0, id: $1) })
        }
        var responses = [Response?](repeating: nil, count: requests.count)
        let jobs = connections.count
        let blocks = self.blocks, count = self.count, outputCount = self.outputCount
        func what(_ k: Int, _ line: Int) -> String {
            let summary = requests[starts[k] + line].summary(blocks: blocks)
            return jobs > 1 ? "\(summary), job \(k + 1)" : summary
        }
        do throws(ExecError) {
            try Exchange.collect(
                Array(connections[0..<used]), expected: (0..<used).map { starts[$0 + 1] - starts[$0] },
                timeout: timeout,
                awaited: { k, line in .answer(id: ids[k][line], what: what(k, line)) },
                handle: { k, line, value throws(ExecError) in
                    let slot = starts[k] + line
                    responses[slot] = try Response(
                        value, id: ids[k][line], request: requests[slot],
                        what: what(k, line), count: count, outputCount: outputCount)
                })
        } catch {
            broken = error
            for c in connections { c.finish(grace: 0) }
            throw error
        }
        return responses.map { $0! }
    }

    func close(grace: Double) {
        lock.lock(); defer { lock.unlock() }
        guard !closed else { return }
        closed = true
        let wait = broken == nil ? grace : 0
        for c in connections { c.requestExit() }
        let deadline = Clock.now + wait
        for c in connections { c.finish(grace: max(0, deadline - Clock.now)) }
    }
}

extension ExecObjective: VectorObjective {
    public var outputs: [ObjectiveBlock] { hello.outputs ?? [] }

    public func outputValues(at offsets: [Perturbation]) throws(EvaluationError) -> [[Double]] {
        try evaluating(offsets.map { Request(offset: $0) }).map { $0.outputs ?? [] }
    }

    public func pullbacks(_ cotangents: [[Double]]) throws(EvaluationError) -> [Pullback] {
        try evaluating(cotangents.map { Request(cotangent: $0) }).map {
            Pullback(value: $0.outputs ?? [], gradient: $0.gradient ?? [])
        }
    }
}
