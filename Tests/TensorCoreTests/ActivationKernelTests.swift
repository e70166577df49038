import Foundation
import Testing

@testable import TensorCore

/// The vectorised activations (``ActivationKernels``, which the fused GEMM epilogues match bit
/// for bit, see `GEMMEpilogueTests`) agree with the definition `Activation.value` and
/// `Activation.derivative(output:)`; `fastExp` is accurate.
struct ActivationKernelTests {
    static let functions: [Activation] = [.sigmoid, .tanh, .relu, .leakyReLU(slope: 0.01), .identity]

    /// Inputs over ±30 (both tails of σ and tanh), tanh's small-|x| branch, and the kink.
    static func inputs<S: TensorScalar>(_: S.Type) -> [S] {
        var x: [S] = stride(from: -30.0, through: 30.0, by: 0.0173).map { S($0) }
        x += stride(from: -0.07, through: 0.07, by: 0.0009).map { S($0) }
        x += [0, -0.0, S.leastNormalMagnitude, -S.leastNormalMagnitude]
        return x
    }

    /// Largest error of the kernel against the definition, in units of the larger of the
    /// value's ulp and the format's ulp at 1 (outputs near zero are compared absolutely).
    func check<S: TensorScalar>(_: S.Type, tolerance: Double) {
        let x = Self.inputs(S.self)
        for f in Self.functions {
            var y = [S](repeating: .nan, count: x.count)
            x.withUnsafeBufferPointer { xb in
                y.withUnsafeMutableBufferPointer {
                    ActivationKernels.forward(f, xb.baseAddress!, $0.baseAddress!, count: x.count)
                }
            }
            var worst = 0.0
            for i in x.indices {
                let want = f.value(x[i])
                let scale = Swift.max(Double(want.magnitude.ulp), Double(S(1).ulp) / 2)
                worst = Swift.max(worst, Double((y[i] - want).magnitude) / scale)
            }
            #expect(worst <= tolerance, "\(S.self) \(f) forward: \(worst) ulp")

            var g: [S] = x.indices.map { S(1 + Double($0 % 5)) }
            let g0 = g
            y.withUnsafeBufferPointer { yb in
                g.withUnsafeMutableBufferPointer {
                    ActivationKernels.backward(f, output: yb.baseAddress!, gradient: $0.baseAddress!, count: x.count)
                }
            }
            let same = x.indices.allSatisfy { g[$0] == g0[$0] * f.derivative(output: y[$0]) }
            #expect(same, "\(S.self) \(f) backward differs from g·f′(y)")
        }
    }

    @Test func floatKernelsMatchDefinition() { check(Float.self, tolerance: 4) }
    @Test func doubleKernelsMatchDefinition() { check(Double.self, tolerance: 1) }

    /// The derivative through the output is the derivative through the input: against a
    /// central difference of the definition, away from the kink.
    @Test func derivativeMatchesDifference() {
        for f in Self.functions {
            for x in stride(from: -4.0, through: 4.0, by: 0.37) where Swift.abs(x) > 1e-3 {
                let h = 1e-6
                let numeric = (f.value(x + h) - f.value(x - h)) / (2 * h)
                let analytic = f.derivative(output: f.value(x))
                #expect(Swift.abs(numeric - analytic) <= 1e-8, "\(f) at \(x): \(analytic) vs \(numeric)")
            }
        }
    }

    /// fastExp stays within 2 ulp of a correctly rounded e^x over its range.
    @Test func fastExpIsAccurate() {
        var worst = 0.0
        var x: Float = -87
        while x <= 88 {
            let exact = Foundation.exp(Double(x))
            let ulp = Double(Float(exact).ulp)
            worst = max(worst, abs(Double(fastExp(x)) - exact) / ulp)
            x += 0.0137
        }
        #expect(worst <= 2, "worst error \(worst) ulp")
        #expect(fastExp(-200) > 0 && fastExp(200).isFinite)
    }
}
