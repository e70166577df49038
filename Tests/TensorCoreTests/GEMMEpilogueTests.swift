import Foundation
import Testing

@testable import TensorCore

/// A GEMM with a fused epilogue (bias, activation, activation derivative, accumulation) gives
/// the same bits as the plain GEMM followed by the separate element-wise kernels
/// (`ActivationKernels`, and w += v for accumulation), on every kernel tier this CPU runs, on one and
/// two threads, for products that take the blocked path with several k blocks, partial edge
/// tiles, and the small-n dot-product path.
struct GEMMEpilogueTests {
    struct Case: Sendable, CustomStringConvertible {
        var kernel: GEMMKernel
        var threads: Int
        var description: String { "\(kernel.rawValue), \(threads) thread(s)" }
    }

    static let cases: [Case] = GEMMKernel.allCases.filter { CPUFeatures.current.supports($0) }
        .flatMap { k in [Case(kernel: k, threads: 1), Case(kernel: k, threads: 2)] }

    static let functions: [Activation] = [.sigmoid, .tanh, .relu, .leakyReLU(slope: 0.01)]

    /// (m, n, k): few rows and deep (one k block of 900, edge tiles); more rows than the
    /// deep-product blocking takes, so three k blocks (384 + 384 + 32: bias on the first, the
    /// post-operation after the last); one k block; the n ≤ 16 dot-product shape of an output layer.
    static let shapes: [(Int, Int, Int)] = [(37, 83, 900), (200, 70, 800), (64, 130, 70), (29, 10, 50)]

    typealias Gemm<S> = (
        _ ta: Transpose, _ tb: Transpose, _ m: Int, _ n: Int, _ k: Int, _ alpha: S,
        _ a: UnsafePointer<S>, _ lda: Int, _ b: UnsafePointer<S>, _ ldb: Int, _ beta: S,
        _ c: UnsafeMutablePointer<S>, _ ldc: Int, _ epilogue: GEMMEpilogue<S>
    ) -> Void

    static func floatGEMM(_ c: Case) -> Gemm<Float> {
        { ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, cc, ldc, e in
            GEMM.sgemm(
                ta, tb, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: cc, ldc: ldc,
                epilogue: e, backend: .builtIn(c.kernel), threads: c.threads)
        }
    }

    static func doubleGEMM(_ c: Case) -> Gemm<Double> {
        { ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, cc, ldc, e in
            GEMM.dgemm(
                ta, tb, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: cc, ldc: ldc,
                epilogue: e, backend: .builtIn(c.kernel), threads: c.threads)
        }
    }

    static func random<S: TensorScalar>(_ count: Int, scale: Double, _ rng: inout PRNG) -> [S] {
        (0..<count).map { _ in S(scale * (2 * rng.nextDouble() - 1)) }
    }

    static func bits<S: TensorScalar>(_ v: S) -> UInt64 {
        if let f = v as? Float { return UInt64(f.bitPattern) }
        return (v as! Double).bitPattern
    }

    /// nil when the two arrays are equal bit for bit, else the count and the first difference.
    static func difference<S: TensorScalar>(_ got: [S], _ want: [S]) -> String? {
        let differing = got.indices.filter { bits(got[$0]) != bits(want[$0]) }
        guard let i = differing.first else { return nil }
        return "\(differing.count) of \(got.count) differ; first at \(i): \(got[i]) vs \(want[i])"
    }

    /// Y = f(X·Wᵀ + 1·bᵀ), fused, against bias broadcast + GEMM with β = 1 + ActivationKernels.forward.
    func forward<S: TensorScalar>(_: S.Type, _ gemm: Gemm<S>, _ label: String) {
        var rng = PRNG(seed: 11)
        for (m, n, k) in Self.shapes {
            // Pre-activations spread over ±8 so that sigmoid and tanh reach both tails and the
            // small-|x| branch of tanh.
            let x: [S] = Self.random(m * k, scale: 1, &rng)
            let w: [S] = Self.random(n * k, scale: 8 / Double(k).squareRoot() * 1.7, &rng)
            let bias: [S] = Self.random(n, scale: 2, &rng)
            for f in Self.functions {
                var expected = [S](repeating: 0, count: m * n)
                for i in 0..<m { for j in 0..<n { expected[i * n + j] = bias[j] } }
                expected.withUnsafeMutableBufferPointer { e in
                    gemm(.none, .transposed, m, n, k, 1, x, k, w, k, 1, e.baseAddress!, n, .none)
                    ActivationKernels.forward(f, UnsafePointer(e.baseAddress!), e.baseAddress!, count: m * n)
                }
                var fused = [S](repeating: .nan, count: m * n)
                bias.withUnsafeBufferPointer { b in
                    fused.withUnsafeMutableBufferPointer { c in
                        gemm(
                            .none, .transposed, m, n, k, 1, x, k, w, k, 0, c.baseAddress!, n,
                            GEMMEpilogue(bias: b.baseAddress!, operation: .activation(f)))
                    }
                }
                #expect(
                    Self.difference(fused, expected) == nil,
                    "\(label) forward \(f) m=\(m) n=\(n) k=\(k): \(Self.difference(fused, expected) ?? "")")
                if case .sigmoid = f {
                    // Not vacuous: the outputs cover both tails of the sigmoid.
                    #expect(
                        expected.contains { $0 < 0.01 } && expected.contains { $0 > 0.99 },
                        "\(label) m=\(m) n=\(n) k=\(k)")
                }
            }
        }
    }

    /// δ·W ⊙ f′(y), fused, against the GEMM then ActivationKernels.backward.
    func derivative<S: TensorScalar>(_: S.Type, _ gemm: Gemm<S>, _ label: String) {
        var rng = PRNG(seed: 12)
        for (m, n, k) in Self.shapes {
            let d: [S] = Self.random(m * k, scale: 1, &rng)
            let w: [S] = Self.random(k * n, scale: 1, &rng)
            // Activation outputs, with exact zeros (dead ReLUs) and negatives for leaky ReLU.
            var y: [S] = Self.random(m * n, scale: 1, &rng)
            for i in stride(from: 0, to: y.count, by: 7) { y[i] = 0 }
            for f in Self.functions {
                var expected = [S](repeating: 0, count: m * n)
                expected.withUnsafeMutableBufferPointer { e in
                    gemm(.none, .none, m, n, k, 1, d, k, w, n, 0, e.baseAddress!, n, .none)
                    ActivationKernels.backward(f, output: y, gradient: e.baseAddress!, count: m * n)
                }
                var fused = [S](repeating: .nan, count: m * n)
                y.withUnsafeBufferPointer { yb in
                    fused.withUnsafeMutableBufferPointer { c in
                        gemm(
                            .none, .none, m, n, k, 1, d, k, w, n, 0, c.baseAddress!, n,
                            GEMMEpilogue(operation: .timesDerivative(f, output: yb.baseAddress!, rowStride: n)))
                    }
                }
                #expect(
                    Self.difference(fused, expected) == nil,
                    "\(label) derivative \(f) m=\(m) n=\(n) k=\(k): \(Self.difference(fused, expected) ?? "")")
            }
        }
    }

    /// v ← μv − η·δᵀX with w ← w + v in the epilogue, against the GEMM then w += v; v is the same.
    func accumulate<S: TensorScalar>(_: S.Type, _ gemm: Gemm<S>, _ label: String) {
        var rng = PRNG(seed: 13)
        for (m, n, k) in Self.shapes {
            let d: [S] = Self.random(k * m, scale: 1, &rng)
            let x: [S] = Self.random(k * n, scale: 1, &rng)
            let v0: [S] = Self.random(m * n, scale: 0.1, &rng)
            let w0: [S] = Self.random(m * n, scale: 1, &rng)
            var (v1, w1) = (v0, w0)
            v1.withUnsafeMutableBufferPointer { v in
                gemm(.transposed, .none, m, n, k, -0.01, d, m, x, n, 0.9, v.baseAddress!, n, .none)
                for i in 0..<(m * n) { w1[i] += v[i] }
            }
            var (v2, w2) = (v0, w0)
            v2.withUnsafeMutableBufferPointer { v in
                w2.withUnsafeMutableBufferPointer { w in
                    gemm(
                        .transposed, .none, m, n, k, -0.01, d, m, x, n, 0.9, v.baseAddress!, n,
                        GEMMEpilogue(operation: .addTo(w.baseAddress!, rowStride: n)))
                }
            }
            #expect(
                Self.difference(v2, v1) == nil,
                "\(label) velocity m=\(m) n=\(n) k=\(k): \(Self.difference(v2, v1) ?? "")")
            #expect(
                Self.difference(w2, w1) == nil,
                "\(label) weights m=\(m) n=\(n) k=\(k): \(Self.difference(w2, w1) ?? "")")
            #expect(w2 != w0, "\(label): the weights moved")
        }
    }

    @Test(arguments: cases)
    func float(_ c: Case) {
        forward(Float.self, Self.floatGEMM(c), "Float \(c)")
        derivative(Float.self, Self.floatGEMM(c), "Float \(c)")
        accumulate(Float.self, Self.floatGEMM(c), "Float \(c)")
    }

    @Test(arguments: cases)
    func double(_ c: Case) {
        forward(Double.self, Self.doubleGEMM(c), "Double \(c)")
        derivative(Double.self, Self.doubleGEMM(c), "Double \(c)")
        accumulate(Double.self, Self.doubleGEMM(c), "Double \(c)")
    }

    /// The fused forward is also right by definition (not only equal to the other kernels):
    /// against σ(x·w + b) summed in Double.
    @Test func sigmoidMatchesDefinition() {
        var rng = PRNG(seed: 14)
        let (m, n, k) = (5, 7, 40)
        let x: [Float] = Self.random(m * k, scale: 1, &rng), w: [Float] = Self.random(n * k, scale: 0.5, &rng)
        let bias: [Float] = Self.random(n, scale: 1, &rng)
        var c = [Float](repeating: 0, count: m * n)
        bias.withUnsafeBufferPointer { b in
            GEMM.sgemm(
                .none, .transposed, m: m, n: n, k: k, alpha: 1, a: x, lda: k, b: w, ldb: k, beta: 0, c: &c, ldc: n,
                epilogue: GEMMEpilogue(bias: b.baseAddress!, operation: .activation(.sigmoid)))
        }
        for i in 0..<m {
            for j in 0..<n {
                var z = Double(bias[j])
                for p in 0..<k { z += Double(x[i * k + p]) * Double(w[j * k + p]) }
                let want = 1 / (1 + Foundation.exp(-z))
                #expect(abs(Double(c[i * n + j]) - want) <= 1e-6, "(\(i), \(j)): \(c[i * n + j]) vs \(want)")
            }
        }
    }
}
