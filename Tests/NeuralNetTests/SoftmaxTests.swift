import Testing
import TensorCore
@testable import NeuralNet

struct SoftmaxTests {
    @Test(arguments: [Float.self, Double.self] as [any TensorScalar.Type])
    func rowsSumToOneAndStayFiniteForHugeLogits(_ type: any TensorScalar.Type) {
        func run<S: TensorScalar>(_: S.Type) {
            let z = Tensor<S>(shape: [3, 3], scalars: [1000, -1000, 0, -1000, -1000, -1000, 1, 2, 3])
            let s = Softmax<S>.rows(z)
            #expect(s.isFinite)
            for row in s.sum(alongAxis: 1).scalars { #expect(abs(Double(row) - 1) < 1e-6) }
            #expect(s[0, 0] == 1 && s[0, 1] == 0)
            #expect(abs(Double(s[1, 0]) - 1.0 / 3) < 1e-6)
        }
        run(type)
    }

    /// The full Jacobian J = diag(s) − s·sᵀ against central differences, built column by column
    /// from vector-Jacobian products with basis vectors.
    @Test func jacobianFromBasisVJPs() {
        var rng = PRNG(seed: 4)
        let z = Tensor<Double>.uniform(shape: [1, 4], low: -2, high: 2, using: &rng)
        let s = Softmax<Double>.rows(z)
        for k in 0..<4 {
            var e = Tensor<Double>(zeros: [1, 4]); e[flat: k] = 1
            let row = Softmax<Double>.vectorJacobianProduct(e, softmax: s)  // eₖᵀJ = ∂sₖ/∂z
            let numeric = centralDifferences(at: z.scalars) {
                Softmax<Double>.rows(Tensor(shape: [1, 4], scalars: $0)).scalars[k]
            }
            #expect(maxRelativeError(row.scalars, numeric) < 1e-8)
            for j in 0..<4 {
                let exact = (j == k ? s.scalars[k] : 0) - s.scalars[k] * s.scalars[j]
                #expect(abs(row.scalars[j] - exact) < 1e-15)
            }
        }
    }
}
