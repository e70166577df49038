@testable import TensorCore

/// SplitMix64: a small, fixed, seeded generator local to these tests (the
/// package's own PRNG is developed separately).
struct GEMMTestRNG: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [-1, 1), exactly representable in Float.
    mutating func unit() -> Double { Double(next() >> 40) / Double(1 << 23) - 1 }
}

/// Float and Double behind one interface so tests can be parameterised by type.
protocol GEMMTestScalar: BinaryFloatingPoint, Sendable {
    static var name: String { get }
    static func runGEMM(
        _ ta: Transpose, _ tb: Transpose, m: Int, n: Int, k: Int, alpha: Self,
        a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int, beta: Self,
        c: UnsafeMutablePointer<Self>, ldc: Int, backend: GEMMBackend?, threads: Int?)
}

extension Float: GEMMTestScalar {
    static var name: String { "Float" }
    static func runGEMM(
        _ ta: Transpose, _ tb: Transpose, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int, backend: GEMMBackend?, threads: Int?
    ) {
        if let backend {
            GEMM.sgemm(
                ta, tb, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                beta: beta, c: c, ldc: ldc, backend: backend, threads: threads)
        } else {
            GEMM.sgemm(
                ta, tb, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                beta: beta, c: c, ldc: ldc)
        }
    }
}

extension Double: GEMMTestScalar {
    static var name: String { "Double" }
    static func runGEMM(
        _ ta: Transpose, _ tb: Transpose, m: Int, n: Int, k: Int, alpha: Double,
        a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int, beta: Double,
        c: UnsafeMutablePointer<Double>, ldc: Int, backend: GEMMBackend?, threads: Int?
    ) {
        if let backend {
            GEMM.dgemm(
                ta, tb, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                beta: beta, c: c, ldc: ldc, backend: backend, threads: threads)
        } else {
            GEMM.dgemm(
                ta, tb, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                beta: beta, c: c, ldc: ldc)
        }
    }
}

enum GEMMPrecision: String, CaseIterable, Sendable, CustomStringConvertible {
    case float, double
    var description: String { rawValue }
}

/// One GEMM problem with random operands and padded leading dimensions.
struct GEMMCase<T: GEMMTestScalar> {
    var ta: Transpose, tb: Transpose
    var m: Int, n: Int, k: Int
    var alpha: T, beta: T
    var a: [T], lda: Int
    var b: [T], ldb: Int
    var c: [T], ldc: Int

    init(
        _ ta: Transpose, _ tb: Transpose, m: Int, n: Int, k: Int, alpha: T, beta: T,
        rng: inout GEMMTestRNG
    ) {
        self.ta = ta; self.tb = tb; self.m = m; self.n = n; self.k = k
        self.alpha = alpha; self.beta = beta
        let aRows = ta == .none ? m : k, aCols = ta == .none ? k : m
        let bRows = tb == .none ? k : n, bCols = tb == .none ? n : k
        lda = max(1, aCols) + Int(rng.next() % 4)
        ldb = max(1, bCols) + Int(rng.next() % 4)
        ldc = max(1, n) + Int(rng.next() % 4)
        a = (0..<(aRows * lda)).map { _ in T(rng.unit()) }
        b = (0..<(bRows * ldb)).map { _ in T(rng.unit()) }
        // β = 0 must not read C: fill it with NaN so any read shows up.
        c = (0..<(max(m, 1) * ldc)).map { _ in beta == 0 ? T.nan : T(rng.unit()) }
    }

    func opA(_ i: Int, _ p: Int) -> Double { Double(ta == .none ? a[i * lda + p] : a[p * lda + i]) }
    func opB(_ p: Int, _ j: Int) -> Double { Double(tb == .none ? b[p * ldb + j] : b[j * ldb + p]) }

    /// Runs the product and returns C.
    func run(backend: GEMMBackend?, threads: Int? = nil) -> [T] {
        var out = c
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                out.withUnsafeMutableBufferPointer { pc in
                    T.runGEMM(
                        ta, tb, m: m, n: n, k: k, alpha: alpha, a: pa.baseAddress!, lda: lda,
                        b: pb.baseAddress!, ldb: ldb, beta: beta, c: pc.baseAddress!, ldc: ldc,
                        backend: backend, threads: threads)
                }
            }
        }
        return out
    }

    /// γ_n = n·u / (1 − n·u) (Higham, Accuracy and Stability of Numerical
    /// Algorithms, §3.1) for unit roundoff u.
    static func gamma(_ n: Int, unitRoundoff u: Double) -> Double { Double(n) * u / (1 - Double(n) * u) }

    /// Compares `got` with a naive triple loop accumulated in Double.
    ///
    /// Error bound: every element of α·op(A)·op(B) + β·C is a sum of k
    /// products, scaled and merged. In any summation order (blocked, with or
    /// without FMA) each product passes through at most
    /// n = k + 2⌈k/128⌉ + 4 roundings: k accumulation steps, one α-scaling and
    /// one merge into C per KC block (every tier uses KC ≥ 128), the β·C
    /// product, and up to 2 extra levels of the dot-kernel's lane reduction
    /// beyond the k steps. Hence |got − exact| ≤ γ_n(u_T) · (|α| Σ|a||b| + |β||c|);
    /// the Double reference adds at most γ_n(u_Double) times the same scale.
    func check(_ got: [T]) -> (failures: Int, worst: String) {
        let rounds = k + 2 * ((k + 127) / 128) + 4
        let tolFactor =
            Self.gamma(rounds, unitRoundoff: Double(T.ulpOfOne) / 2)
            + Self.gamma(rounds, unitRoundoff: Double.ulpOfOne / 2)
        let alphaD = Double(alpha), betaD = Double(beta)
        var failures = 0
        var worst = ""
        var worstRatio = 0.0
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0, absSum = 0.0
                for p in 0..<k {
                    let x = opA(i, p), y = opB(p, j)
                    sum += x * y
                    absSum += abs(x * y)
                }
                var expected = alphaD * sum
                var scale = abs(alphaD) * absSum
                if betaD != 0 {
                    let c0 = Double(c[i * ldc + j])
                    expected += betaD * c0
                    scale += abs(betaD) * abs(c0)
                }
                let value = Double(got[i * ldc + j])
                let err = abs(value - expected)
                let tol = tolFactor * scale
                if !(err <= tol) {
                    failures += 1
                    let ratio = tol > 0 ? err / tol : .infinity
                    if !(ratio <= worstRatio) {
                        worstRatio = ratio
                        worst = "C[\(i),\(j)] = \(value), expected \(expected), |err| \(err) > tol \(tol)"
                    }
                }
            }
        }
        // Padding columns of C (j ≥ n) must be untouched.
        for i in 0..<m {
            for j in n..<ldc
            where !(got[i * ldc + j] == c[i * ldc + j] || (got[i * ldc + j].isNaN && c[i * ldc + j].isNaN)) {
                failures += 1
                worst = "padding C[\(i),\(j)] was written"
            }
        }
        return (failures, worst)
    }
}
