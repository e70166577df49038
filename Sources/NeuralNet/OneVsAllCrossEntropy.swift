import TensorCore

/// One-vs-all sigmoid cross-entropy, ex4's cost, fused on logits z with h = σ(z):
/// L = −(1/m) Σᵢ Σₖ [yᵢₖ log hᵢₖ + (1 − yᵢₖ) log(1 − hᵢₖ)].
/// Each term is evaluated stably as softplus(z) − y·z with softplus(z) = max(z, 0) + log1p(e^{−|z|}),
/// and ∂L/∂z = (h − y)/m — ex4's output delta δ³ = a³ − y, divided by m.
public struct OneVsAllCrossEntropy<Scalar: TensorScalar>: Loss {
    public init() {}
    public var kind: String { "ovr-ce" }

    public func evaluate(_ z: Tensor<Scalar>, targets: Targets<Scalar>) -> (value: Double, gradient: Tensor<Scalar>) {
        let m = z.shape[0]
        var grad = z.sigmoid() - targets.dense(classes: z.shape[1])
        grad *= 1 / Scalar(m)
        return (value(z, targets: targets), grad)
    }

    /// (1/m)·(Σ softplus(z) − Σ y·z).
    public func value(_ z: Tensor<Scalar>, targets: Targets<Scalar>) -> Double {
        precondition(z.rank == 2 && targets.count == z.shape[0], "ovr-ce: logits \(z.shape), \(targets.count) targets")
        let softplus = z.withUnsafeBufferPointer { Scalar.softplusSum($0) }
        return (softplus - targets.dot(z)) / Double(z.shape[0])
    }
}
