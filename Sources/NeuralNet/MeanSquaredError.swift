import TensorCore

/// Mean squared error L = (1/2m) Σᵢ ‖ŷᵢ − yᵢ‖² (Nielsen's and Ng's convention; PyTorch's
/// `MSELoss` averages over all entries instead and has no ½). ∂L/∂ŷ = (ŷ − y)/m.
public struct MeanSquaredError<Scalar: TensorScalar>: Loss {
    public init() {}
    public var kind: String { "mse" }

    public func evaluate(
        _ output: Tensor<Scalar>, targets: Targets<Scalar>
    ) -> (value: Double, gradient: Tensor<Scalar>) {
        precondition(
            output.rank == 2 && targets.count == output.shape[0],
            "mse: output \(output.shape), \(targets.count) targets")
        let (m, k) = (output.shape[0], output.shape[1])
        let y = targets.dense(classes: k)
        var grad = Tensor<Scalar>(zeros: output.shape)
        var total = 0.0
        for i in 0..<(m * k) {
            let d = output.scalars[i] - y.scalars[i]
            total += 0.5 * Double(d) * Double(d)
            grad[flat: i] = d / Scalar(m)
        }
        return (total / Double(m), grad)
    }
}
