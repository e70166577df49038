import TensorCore

/// Cross-entropy on probabilities p (the output of a separate ``Softmax``):
/// L = −(1/m) Σᵢ Σₖ yᵢₖ log pᵢₖ, ∂L/∂p = −y/(m·p).
/// Entries with y = 0 contribute nothing (and no 0·log 0).
public struct CrossEntropy<Scalar: TensorScalar>: Loss {
    public init() {}
    public var kind: String { "ce" }

    public func evaluate(_ p: Tensor<Scalar>, targets: Targets<Scalar>) -> (value: Double, gradient: Tensor<Scalar>) {
        precondition(
            p.rank == 2 && targets.count == p.shape[0], "ce: probabilities \(p.shape), \(targets.count) targets")
        let (m, k) = (p.shape[0], p.shape[1])
        let y = targets.dense(classes: k)
        var grad = Tensor<Scalar>(zeros: p.shape)
        var total = 0.0
        for i in 0..<(m * k) where y.scalars[i] != 0 {
            total -= Double(y.scalars[i]) * Double.log(Double(p.scalars[i]))
            grad[flat: i] = -y.scalars[i] / (Scalar(m) * p.scalars[i])
        }
        return (total / Double(m), grad)
    }
}
