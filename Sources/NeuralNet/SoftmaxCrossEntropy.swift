import TensorCore

/// Softmax cross-entropy fused on logits z: for each example
/// ℓ = log Σₖ e^{zₖ} − Σₖ yₖ zₖ (with Σₖ yₖ = 1), where the log-sum-exp is shifted by max z
/// so that logits of ±1000 stay finite. L = (1/m) Σ ℓ, and ∂L/∂z = (softmax(z) − y)/m.
public struct SoftmaxCrossEntropy<Scalar: TensorScalar>: Loss {
    public init() {}
    public var kind: String { "softmax-ce" }

    public func evaluate(_ z: Tensor<Scalar>, targets: Targets<Scalar>) -> (value: Double, gradient: Tensor<Scalar>) {
        precondition(
            z.rank == 2 && targets.count == z.shape[0], "softmax-ce: logits \(z.shape), \(targets.count) targets")
        let (m, k) = (z.shape[0], z.shape[1])
        let y = targets.dense(classes: k)
        var grad = Softmax<Scalar>.rows(z)
        var total = 0.0
        for i in 0..<m {
            var maxZ = -Double.infinity
            for j in 0..<k { maxZ = Swift.max(maxZ, Double(z.scalars[i * k + j])) }
            var sumExp = 0.0, yz = 0.0, ySum = 0.0
            for j in 0..<k {
                let zij = Double(z.scalars[i * k + j])
                sumExp += Double.exp(zij - maxZ)
                let yij = Double(y.scalars[i * k + j])
                yz += yij * zij; ySum += yij
            }
            total += ySum * (maxZ + Double.log(sumExp)) - yz
            let (scale, count) = (Scalar(ySum), Scalar(m))
            for j in 0..<k {
                let o = i * k + j
                let g: Scalar = (grad.scalars[o] * scale - y.scalars[o]) / count
                grad[flat: o] = g
            }
        }
        return (total / Double(m), grad)
    }

    /// (1/m)·Σᵢ (Σₖyᵢₖ·lse(zᵢ) − Σₖ yᵢₖzᵢₖ); with class indices Σₖyᵢₖ = 1.
    public func value(_ z: Tensor<Scalar>, targets: Targets<Scalar>) -> Double {
        guard case .classes = targets else { return evaluate(z, targets: targets).value }
        precondition(
            z.rank == 2 && targets.count == z.shape[0], "softmax-ce: logits \(z.shape), \(targets.count) targets")
        let lse = z.withUnsafeBufferPointer { Scalar.logSumExpRowsSum($0, columns: z.shape[1]) }
        return (lse - targets.dot(z)) / Double(z.shape[0])
    }
}
