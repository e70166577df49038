import ArgumentParser
import Foundation
import TensorCore

/// `gradscope-bench gemm`: GFLOP/s of the built-in GEMM, the optional BLAS
/// backend and numpy (same run), per shape, with % of the measured peak.
struct GemmBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemm",
        abstract: "Matrix-multiply GFLOP/s: built-in kernels vs BLAS vs numpy, same run.")

    enum ThreadsOption: String, ExpressibleByArgument, CaseIterable { case one = "1", two = "2", both }
    enum DTypeOption: String, ExpressibleByArgument, CaseIterable { case float32, float64, both }

    @Option(help: "Thread counts to measure: 1, 2 or both.")
    var threads: ThreadsOption = .both

    @Option(help: "Element types: float32, float64 or both.")
    var dtype: DTypeOption = .both

    @Flag(help: "Fewer shapes and shorter timing (smoke test).")
    var quick = false

    @Option(help: "Seconds of timing per measurement (default 0.4, --quick 0.1).")
    var minTime: Double?

    @Option(help: "Python interpreter for the numpy anchor.")
    var python = "python3"

    @Flag(help: "Skip the numpy measurement.")
    var noNumpy = false

    @Option(help: "Only shapes whose name contains this text.")
    var filter: String?

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let kernel = GEMMKernel.select(environment: environment, features: .current)
        let machine = MachineInfo.measure(kernel: kernel.kernel)
        let seconds = minTime ?? (quick ? 0.1 : 0.4)
        var shapes = GemmShape.all(quick: quick)
        if let filter { shapes = shapes.filter { $0.name.contains(filter) } }
        let threadCounts: [Int] = threads == .both ? [1, 2] : [Int(threads.rawValue)!]
        let doubles: [Bool] = dtype == .both ? [false, true] : [dtype == .float64]

        print("== Machine")
        print("CPU: \(machine.cpu); \(machine.cores) cores")
        print(
            String(
                format: "Measured clock: %.2f GHz (dependent integer-add chain); FMA latency %.1f cycles",
                machine.clockGHz, machine.fmaLatencyCycles))
        print(
            String(
                format: "FMA throughput (%@): %.2f vector FMAs/cycle of %d floats -> %d SP / %d DP flops/cycle",
                machine.kernel.rawValue, machine.fmaPerCycle, machine.lanes32,
                machine.spFlopsPerCycle, machine.dpFlopsPerCycle))
        print(
            String(
                format: "Peak per core: %.1f GFLOP/s float32, %.1f GFLOP/s float64",
                machine.peakPerCoreGFLOPs(double: false), machine.peakPerCoreGFLOPs(double: true)))
        print("GEMM backend (default): \(GEMM.backendDescription)")
        print("Built-in kernel measured: \(kernel.kernel.rawValue)\(kernel.note.map { " (\($0))" } ?? "")")

        let blasLibrary = Self.loadBLAS(environment: environment)
        switch blasLibrary {
        case .success(let lib): print("BLAS measured in-process: \(lib.description)")
        case .failure(let error): print("BLAS: none loaded (\(error)); BLAS columns skipped")
        }
        let lib = try? blasLibrary.get()

        for double in doubles {
            for t in threadCounts {
                let rows = shapes.map { shape in
                    var row = Row(
                        shape: shape,
                        builtIn: Self.measure(shape, double: double, seconds: seconds) { a, b, c in
                            Self.call(shape, double: double, a, b, c, backend: .builtIn(kernel.kernel), threads: t)
                        })
                    if let lib {
                        // BLAS through GEMM vs the same library called directly,
                        // interleaved (3 rounds, best of each) to cancel drift.
                        lib.setThreadCount(t)
                        var viaGEMM = 0.0, direct = 0.0
                        for _ in 0..<3 {
                            viaGEMM = max(
                                viaGEMM,
                                Self.measure(shape, double: double, seconds: seconds / 3) { a, b, c in
                                    Self.call(shape, double: double, a, b, c, backend: .blas(lib), threads: t)
                                })
                            direct = max(
                                direct,
                                Self.measure(shape, double: double, seconds: seconds / 3) { a, b, c in
                                    Self.callDirect(lib, shape, double: double, a, b, c)
                                })
                        }
                        row.blas = viaGEMM
                        row.blasDirect = direct
                    }
                    return row
                }
                var numpy: Result<NumpyResult, NumpyError> = .failure(NumpyError("skipped (--no-numpy)"))
                if !noNumpy {
                    numpy = NumpyRunner.run(
                        shapes: shapes, double: double, threads: t,
                        minTime: seconds, python: python)
                }
                Self.printTable(rows, double: double, threads: t, machine: machine, numpy: numpy)
            }
        }
    }

    struct Row {
        var shape: GemmShape
        var builtIn: Double
        var blas: Double? = nil
        var blasDirect: Double? = nil
    }

    static func loadBLAS(environment: [String: String]) -> Result<BLASLibrary, BLASLoadError> {
        var candidates = BLASRequest.defaultCandidates
        if case .path(let p) = BLASRequest.parse(environment: environment) { candidates = [p] }
        let (lib, errors) = BLASLibrary.loadFirst(candidates)
        if let lib { return .success(lib) }
        return .failure(errors.last ?? BLASLoadError(library: "-", message: "no candidates"))
    }

    /// Storage for one shape's operands (Float or Double), filled with a
    /// fixed pseudo-random pattern in [-1, 1).
    final class Operands {
        let a: UnsafeMutableRawPointer, b: UnsafeMutableRawPointer, c: UnsafeMutableRawPointer
        init(_ s: GemmShape, double: Bool) {
            let size = double ? 8 : 4
            a = .allocate(byteCount: s.m * s.k * size, alignment: 64)
            b = .allocate(byteCount: s.k * s.n * size, alignment: 64)
            c = .allocate(byteCount: s.m * s.n * size, alignment: 64)
            var state: UInt64 = 0x9E37_79B9_7F4A_7C15
            func next() -> Double {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Double(state >> 11) / Double(1 << 53) * 2 - 1
            }
            for (p, count) in [(a, s.m * s.k), (b, s.k * s.n), (c, s.m * s.n)] {
                if double {
                    let q = p.bindMemory(to: Double.self, capacity: count)
                    for i in 0..<count { q[i] = next() }
                } else {
                    let q = p.bindMemory(to: Float.self, capacity: count)
                    for i in 0..<count { q[i] = Float(next()) }
                }
            }
        }
        deinit { a.deallocate(); b.deallocate(); c.deallocate() }
    }

    /// Best-of-batches GFLOP/s: batches of ≥ 20 ms, for at least `seconds`.
    static func measure(
        _ s: GemmShape, double: Bool, seconds: Double,
        _ body: (UnsafeMutableRawPointer, UnsafeMutableRawPointer, UnsafeMutableRawPointer) -> Void
    ) -> Double {
        let ops = Operands(s, double: double)
        body(ops.a, ops.b, ops.c)  // warm-up: workspaces, page faults
        let clock = ContinuousClock()
        let one = clock.measure { body(ops.a, ops.b, ops.c) }
        let oneSeconds = max(Double(one.components.attoseconds) * 1e-18 + Double(one.components.seconds), 1e-7)
        let reps = max(1, Int(0.02 / oneSeconds))
        var best = Double.infinity
        let start = clock.now
        repeat {
            let d = clock.measure { for _ in 0..<reps { body(ops.a, ops.b, ops.c) } }
            let t = (Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18) / Double(reps)
            best = min(best, t)
        } while clock.now - start < .milliseconds(Int(seconds * 1000))
        return s.flops / best / 1e9
    }

    static func call(
        _ s: GemmShape, double: Bool, _ a: UnsafeMutableRawPointer, _ b: UnsafeMutableRawPointer,
        _ c: UnsafeMutableRawPointer, backend: GEMMBackend, threads: Int
    ) {
        let lda = s.transA == .none ? s.k : s.m
        let ldb = s.transB == .none ? s.n : s.k
        if double {
            GEMM.dgemm(
                s.transA, s.transB, m: s.m, n: s.n, k: s.k, alpha: 1,
                a: a.assumingMemoryBound(to: Double.self), lda: lda,
                b: b.assumingMemoryBound(to: Double.self), ldb: ldb, beta: 0,
                c: c.assumingMemoryBound(to: Double.self), ldc: s.n, backend: backend, threads: threads)
        } else {
            GEMM.sgemm(
                s.transA, s.transB, m: s.m, n: s.n, k: s.k, alpha: 1,
                a: a.assumingMemoryBound(to: Float.self), lda: lda,
                b: b.assumingMemoryBound(to: Float.self), ldb: ldb, beta: 0,
                c: c.assumingMemoryBound(to: Float.self), ldc: s.n, backend: backend, threads: threads)
        }
    }

    /// Calls cblas_?gemm directly (no GEMM wrapper).
    static func callDirect(
        _ lib: BLASLibrary, _ s: GemmShape, double: Bool, _ a: UnsafeMutableRawPointer,
        _ b: UnsafeMutableRawPointer, _ c: UnsafeMutableRawPointer
    ) {
        let lda = s.transA == .none ? s.k : s.m
        let ldb = s.transB == .none ? s.n : s.k
        if double {
            lib.directDGEMM(
                s.transA, s.transB, m: s.m, n: s.n, k: s.k, alpha: 1,
                a: a.assumingMemoryBound(to: Double.self), lda: lda,
                b: b.assumingMemoryBound(to: Double.self), ldb: ldb, beta: 0,
                c: c.assumingMemoryBound(to: Double.self), ldc: s.n)
        } else {
            lib.directSGEMM(
                s.transA, s.transB, m: s.m, n: s.n, k: s.k, alpha: 1,
                a: a.assumingMemoryBound(to: Float.self), lda: lda,
                b: b.assumingMemoryBound(to: Float.self), ldb: ldb, beta: 0,
                c: c.assumingMemoryBound(to: Float.self), ldc: s.n)
        }
    }

    static func printTable(
        _ rows: [Row], double: Bool, threads: Int, machine: MachineInfo,
        numpy: Result<NumpyResult, NumpyError>
    ) {
        let peak = machine.peakPerCoreGFLOPs(double: double) * Double(threads)
        print("")
        print(
            "== \(double ? "float64 (DGEMM)" : "float32 (SGEMM)"), \(threads) thread\(threads == 1 ? "" : "s")"
                + String(format: " — peak %.1f GFLOP/s", peak))
        let np = try? numpy.get()
        switch numpy {
        case .success(let r): print("numpy \(r.version), BLAS: \(r.blas)")
        case .failure(let e): print("numpy: \(e) — numpy columns skipped")
        }
        let hasBLAS = rows.contains { $0.blas != nil }
        var header = [
            pad("shape", 24, left: true), pad("m", 5), pad("n", 5), pad("k", 5), pad("op", 3),
            pad("built-in", 9), pad("%peak", 6)
        ]
        if np != nil { header += [pad("numpy", 8), pad("%peak", 6), pad("ratio", 6)] }
        if hasBLAS { header += [pad("blas", 8), pad("direct", 8), pad("blas/dir", 8)] }
        print(header.joined(separator: " "))
        print(String(repeating: "-", count: header.joined(separator: " ").count))
        for r in rows {
            let s = r.shape
            let op = (s.transA == .none ? "N" : "T") + (s.transB == .none ? "N" : "T")
            var cols = [
                pad(s.name, 24, left: true), pad("\(s.m)", 5), pad("\(s.n)", 5), pad("\(s.k)", 5), pad(op, 3),
                pad(String(format: "%.1f", r.builtIn), 9), pad(String(format: "%.1f%%", 100 * r.builtIn / peak), 6)
            ]
            if let np {
                if let v = np.gflops[s.name] {
                    cols += [
                        pad(String(format: "%.1f", v), 8), pad(String(format: "%.1f%%", 100 * v / peak), 6),
                        pad(String(format: "%.2f", r.builtIn / v), 6)
                    ]
                } else {
                    cols += [pad("-", 8), pad("-", 6), pad("-", 6)]
                }
            }
            if hasBLAS, let b = r.blas, let d = r.blasDirect {
                cols += [
                    pad(String(format: "%.1f", b), 8), pad(String(format: "%.1f", d), 8),
                    pad(String(format: "%.3f", b / d), 8)
                ]
            }
            print(cols.joined(separator: " "))
        }
        if let np {
            let ratios = rows.compactMap { r in np.gflops[r.shape.name].map { r.builtIn / $0 } }
            if !ratios.isEmpty {
                let geo = exp(ratios.map { log($0) }.reduce(0, +) / Double(ratios.count))
                print(
                    String(
                        format: "built-in/numpy: min %.2f, geometric mean %.2f over %d shapes",
                        ratios.min()!, geo, ratios.count))
            }
        }
    }

    static func pad(_ s: String, _ width: Int, left: Bool = false) -> String {
        let n = s.count
        if n >= width { return s }
        let fill = String(repeating: " ", count: width - n)
        return left ? s + fill : fill + s
    }
}
