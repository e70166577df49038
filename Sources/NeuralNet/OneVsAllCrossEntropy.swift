import TensorCore

/// One-vs-all sigmoid cross-entropy, ex4's cost, fused on logits z with h = σ(z):
/// L = −(1/m) Σᵢ Σₖ [yᵢₖ log hᵢₖ + (1 − yᵢₖ) log(1 − hᵢₖ)].
/// Each term is evaluated stably as softplus(z) − y·z with softplus(z) = max(z, 0) + log1p(e^{−|z|}),
/// and ∂L/∂z = (h − y)/m — ex4's output delta δ³ = a³ − y, divided by m.
public struct OneVsAllCrossEntropy<Scalar: TensorScalar>: Loss {
    public init() {}
    public var kind: String { "ovr-ce" }

    public func evaluate(_ z: Tensor<Scalar>, targets: Targets<Scalar>) -> (value: Double, gradient: Tensor<Scalar>) {
        precondition(z.rank == 2 && targets.count == z.shape[0], "ovr-ce: logits \(z.shape), \(targets.count) targets")
        let (m, k) = (z.shape[0], z.shape[1])
        let y = targets.dense(classes: k)
        var grad = Tensor<Scalar>(zeros: z.shape)
        var total = 0.0
        for i in 0..<(m * k) {
            let zi = Double(z.scalars[i]), yi = Double(y.scalars[i])
            total += Swift.max(zi, 0) + Double.log(onePlus: Double.exp(-Swift.abs(zi))) - yi * zi
            grad.scalars[i] = (Scalar.sigmoid(z.scalars[i]) - y.scalars[i]) / Scalar(m)
        }
        return (total / Double(m), grad)
    }
}
