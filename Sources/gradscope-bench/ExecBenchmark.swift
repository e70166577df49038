import ArgumentParser
import Exec
import Foundation
import GradCheck

/// `gradscope-bench exec`: the cost of the `gradscope/1` protocol and of `--jobs`.
///
/// The program is `gradscope-bench exec-serve` (a trivial quadratic in Swift), so the numbers
/// are the protocol's: pipes, JSON, the checker's bookkeeping. The Python adapter's numbers
/// (Benchmarks/python/exec_trivial.py) show what an interpreter adds. Targets (issue #5):
/// ≤ 50 µs per evaluation plus payload; a full check of 10,000 parameters under 2 s; a
/// 5 ms-per-evaluation program ≥ 1.8× faster with `--jobs 2` than with `--jobs 1`.
struct ExecBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "gradscope/1 protocol overhead, a 10,000-parameter full check, and --jobs scaling.")

    @Flag(help: "Fewer repetitions (smoke test).")
    var quick = false

    @Option(help: "Python interpreter for the adapter's numbers (skipped when it cannot start).")
    var python = "python3"

    enum Part: String, ExpressibleByArgument, CaseIterable { case all, overhead, check, jobs }

    @Option(
        help: "What to measure: all, overhead (per evaluation), check (10,000 parameters) or jobs (--jobs scaling).")
    var part: Part = .all

    func run() throws {
        let server = "\(Self.shellQuote(Self.executablePath)) exec-serve"
        let scale = quick ? 10 : 1
        var rows = [(String, String)]()
        func report(_ name: String, _ value: String) {
            print(name.padding(toLength: 62, withPad: " ", startingAt: 0) + value)
            rows.append((name, value))
        }
        print("== gradscope/1 protocol (\(ProcessInfo.processInfo.activeProcessorCount) cores)")

        // 1. Per-evaluation overhead against the trivial Swift program.
        if part == .all || part == .overhead { try overhead(server: server, scale: scale, report: report) }
        if part == .all || part == .check { try fullCheck(server: server, report: report) }
        if part == .all || part == .jobs { try jobScaling(server: server, report: report) }

        print("\n| measurement | result |\n|---|---|")
        for (name, value) in rows { print("| \(name) | \(value) |") }
    }

    func overhead(server: String, scale: Int, report: (String, String) -> Void) throws {
        let small = try ExecObjective(command: "\(server) --n 10")
        let lockstep = try Self.perRequest(small, count: 5000 / scale, batch: 1)
        let pipelined = try Self.perRequest(small, count: 50000 / scale, batch: 1024)
        small.close()
        report(
            "round trip, one request at a time (Swift program)",
            Self.micro(lockstep.wall) + String(format: "; checker CPU %.1f µs", lockstep.cpu * 1e6))
        report(
            "pipelined, batches of 1024 (Swift program)",
            Self.micro(pipelined.wall) + String(format: "; checker CPU %.1f µs", pipelined.cpu * 1e6))
        let wide = try ExecObjective(command: "\(server) --n 10000")
        let gradient = try Self.seconds(repeats: 40 / scale) { _ = try wide.evaluate([Request(gradient: true)]) }
        wide.close()
        report(
            "payload: a gradient of 10,000 numbers (one request)",
            String(format: "%.0f µs (%.0f ns per number)", gradient * 1e6, gradient * 1e5))

        if let script = Self.locate("Benchmarks/python/exec_trivial.py"),
            let py = try? ExecObjective(command: "\(python) \(Self.shellQuote(script)) 10")
        {
            let a = try Self.perRequest(py, count: 2000 / scale, batch: 1)
            let b = try Self.perRequest(py, count: 20000 / scale, batch: 1024)
            py.close()
            report("round trip, one request at a time (Python adapter)", Self.micro(a.wall))
            report("pipelined, batches of 1024 (Python adapter)", Self.micro(b.wall))
        } else {
            print("(Python adapter skipped: \(python) or Benchmarks/python/exec_trivial.py not found)")
        }

    }

    /// A full check of 10,000 parameters.
    func fullCheck(server: String, report: (String, String) -> Void) throws {
        for jobs in [1, 2] {
            let start = Date()
            let (_, r) = ExecCheck(command: "\(server) --n 10000", jobs: jobs).run(CheckConfiguration())
            let t = Date().timeIntervalSince(start)
            guard r.verdict == .pass else {
                throw ValidationError(
                    "the 10,000-parameter check did not pass: \(r.errorMessage ?? r.verdict.rawValue)")
            }
            report(
                "full check, 10,000 parameters, --jobs \(jobs)",
                String(
                    format: "%.2f s (%d evaluations, %.1f µs each)", t, r.evaluations, t / Double(r.evaluations) * 1e6))
        }
        // Evaluations per entry, economical (default) against two steps for every entry.
        for economical in [false, true] {
            var configuration = CheckConfiguration()
            configuration.economical = economical
            let start = Date()
            let (_, r) = ExecCheck(command: "\(server) --n 50000", jobs: 2).run(configuration)
            let t = Date().timeIntervalSince(start)
            guard r.verdict == .pass else {
                throw ValidationError(
                    "the 50,000-parameter check did not pass: \(r.errorMessage ?? r.verdict.rawValue)")
            }
            report(
                "full check, 50,000 parameters, --jobs 2, \(economical ? "economical" : "two steps per entry")",
                String(
                    format: "%.2f s (%d evaluations, %.2f per entry)", t, r.evaluations, Double(r.evaluations) / 50000))
        }

    }

    /// --jobs scaling with a program that takes 5 ms per evaluation.
    func jobScaling(server: String, report: (String, String) -> Void) throws {
        let n = quick ? 20 : 100
        var times = [Double]()
        for jobs in [1, 2] {
            let start = Date()
            let (_, r) = ExecCheck(command: "\(server) --n \(n) --cost-ms 5", jobs: jobs).run(CheckConfiguration())
            let t = Date().timeIntervalSince(start)
            guard r.verdict == .pass else {
                throw ValidationError("the 5 ms check did not pass: \(r.errorMessage ?? r.verdict.rawValue)")
            }
            times.append(t)
            report(
                "full check, \(n) parameters at 5 ms per evaluation, --jobs \(jobs)",
                String(format: "%.2f s (%d evaluations)", t, r.evaluations))
        }
        report("speed-up of --jobs 2 over --jobs 1 (5 ms per evaluation)", String(format: "%.2f×", times[0] / times[1]))
    }

    /// Seconds per request, sending `count` value requests at single-coordinate offsets in
    /// batches of `batch`: the median of 5 runs of count/5 (other processes on a shared
    /// machine delay the wake-ups a round trip needs), and the checker's own CPU seconds per
    /// request (user + system, this process only) over all runs.
    static func perRequest(_ objective: ExecObjective, count: Int, batch: Int) throws -> (wall: Double, cpu: Double) {
        let requests = (0..<batch).map { Request(offset: .coordinate($0 % objective.point.count, 1e-6)) }
        for _ in 0..<max(1, 100 / batch) { _ = try objective.evaluate(requests) }  // warm up
        var runs = [Double]()
        let cpuStart = cpuSeconds()
        var total = 0
        for _ in 0..<5 {
            let start = Date()
            var done = 0
            while done < max(batch, count / 5) {
                _ = try objective.evaluate(requests)
                done += batch
            }
            runs.append(Date().timeIntervalSince(start) / Double(done))
            total += done
        }
        return (runs.sorted()[2], (cpuSeconds() - cpuStart) / Double(total))
    }

    /// User + system CPU seconds of this process.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + 1e-6 * Double(t.tv_usec) }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    static func seconds(repeats: Int, _ body: () throws -> Void) throws -> Double {
        try body()
        let start = Date()
        for _ in 0..<repeats { try body() }
        return Date().timeIntervalSince(start) / Double(repeats)
    }

    static func micro(_ seconds: Double) -> String { String(format: "%.1f µs per evaluation", seconds * 1e6) }

    static var executablePath: String {
        Bundle.main.executablePath ?? CommandLine.arguments[0]
    }

    static func shellQuote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: #"'\''"#) + "'" }

    /// A file of the repository, from the current directory or above the executable.
    static func locate(_ relative: String) -> String? {
        var candidates = [FileManager.default.currentDirectoryPath + "/" + relative]
        var dir = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(dir.appendingPathComponent(relative).path)
            dir = dir.deletingLastPathComponent()
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }
}
