import _Differentiation
import DifferentiableCheck
import Foundation

/// y = W·x + b with W stored row-major as outputs × inputs: the parameters of the custom
/// derivatives under test.
struct Affine: Differentiable, CheckableStruct {
    var weight: [Double]
    var bias: [Double]
    @noDerivative let outputs: Int
    @noDerivative let inputs: Int

    static var checkFields: [CheckField<Affine>] {
        [
            CheckField("weight", \.weight, tangent: \.weight, shape: { [$0.outputs, $0.inputs] }),
            CheckField("bias", \.bias, tangent: \.bias)
        ]
    }

    /// Deterministic, distinct, non-symmetric values (a transposed gradient must differ).
    init(outputs: Int, inputs: Int) {
        self.outputs = outputs; self.inputs = inputs
        weight = (0..<(outputs * inputs)).map { (k: Int) -> Double in
            let cycle = 0.3 * Double(k % 5) - 0.45
            return cycle + 0.07 * Double(k)
        }
        bias = (0..<outputs).map { (j: Int) -> Double in 0.2 - 0.15 * Double(j) }
    }
}

/// A fixed batch: inputs X (m × 3) and targets T (m × outputs).
enum Batch {
    static let inputs: [[Double]] = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.5], [-0.75, 1.0, 0.3], [0.1, -0.2, 0.9]]
    static func targets(_ outputs: Int) -> [[Double]] {
        inputs.indices.map { k in (0..<outputs).map { j in sin(Double(k + 2 * j)) } }
    }
}

/// E(W, b) = ½ Σₖ ‖W·xₖ + b − tₖ‖², and the residuals rₖ = W·xₖ + b − tₖ it is made of.
func residuals(_ a: Affine) -> [[Double]] {
    let t = Batch.targets(a.outputs)
    return Batch.inputs.indices.map { k in
        (0..<a.outputs).map { j in
            var s = a.bias[j] - t[k][j]
            for i in 0..<a.inputs { s += a.weight[j * a.inputs + i] * Batch.inputs[k][i] }
            return s
        }
    }
}

func squaredErrorValue(_ a: Affine) -> Double {
    residuals(a).reduce(0) { $0 + $1.reduce(0) { $0 + 0.5 * $1 * $1 } }
}

/// ∂E/∂W = Σₖ rₖ·xₖᵀ, ∂E/∂b = Σₖ rₖ, with the mistakes the tests inject.
enum AffineMistake { case none, missingBias, transposedWeight }

func squaredErrorPullback(_ a: Affine, _ mistake: AffineMistake) -> (Double) -> Affine.TangentVector {
    let r = residuals(a)
    return { v in
        var dW = [Double](repeating: 0, count: a.outputs * a.inputs)
        var db = [Double](repeating: 0, count: a.outputs)
        for k in r.indices {
            for j in 0..<a.outputs {
                if mistake != .missingBias { db[j] += v * r[k][j] }
                for i in 0..<a.inputs {
                    if mistake == .transposedWeight {
                        // dW[i][j] = rⱼ·xᵢ, meaningful only for a square W: the classic δᵀ·X / X·δᵀ slip.
                        dW[i * a.outputs + j] += v * r[k][j] * Batch.inputs[k][i]
                    } else {
                        dW[j * a.inputs + i] += v * r[k][j] * Batch.inputs[k][i]
                    }
                }
            }
        }
        return Affine.TangentVector(weight: .init(dW), bias: .init(db))
    }
}

func squaredError(_ a: Affine) -> Double { squaredErrorValue(a) }
@derivative(of: squaredError)
func squaredErrorVJP(_ a: Affine) -> (value: Double, pullback: (Double) -> Affine.TangentVector) {
    (squaredErrorValue(a), squaredErrorPullback(a, .none))
}

func squaredErrorMissingBias(_ a: Affine) -> Double { squaredErrorValue(a) }
@derivative(of: squaredErrorMissingBias)
func squaredErrorMissingBiasVJP(_ a: Affine) -> (value: Double, pullback: (Double) -> Affine.TangentVector) {
    (squaredErrorValue(a), squaredErrorPullback(a, .missingBias))
}

func squaredErrorTransposed(_ a: Affine) -> Double { squaredErrorValue(a) }
@derivative(of: squaredErrorTransposed)
func squaredErrorTransposedVJP(_ a: Affine) -> (value: Double, pullback: (Double) -> Affine.TangentVector) {
    (squaredErrorValue(a), squaredErrorPullback(a, .transposedWeight))
}
