import TensorCore

/// A model with a fixed batch: the thing a gradient check evaluates, and ex4's
/// `nnCostFunction(nn_params, …, X, y, lambda)` with everything but θ bound.
public struct SupervisedProblem<Scalar: TensorScalar>: Sendable {
    public var name: String
    public var model: Sequential<Scalar>
    public var inputs: Tensor<Scalar>
    public var targets: Targets<Scalar>

    public init(name: String, model: Sequential<Scalar>, inputs: Tensor<Scalar>, targets: Targets<Scalar>) {
        self.name = name; self.model = model; self.inputs = inputs; self.targets = targets
    }

    /// J(θ) and ∇J(θ) at an unrolled parameter vector.
    public func cost(at theta: [Double]) throws(ModelError) -> (value: Double, gradient: [Double]) {
        try model.cost(at: theta, inputs: inputs, targets: targets)
    }

    /// The current parameters, unrolled, in Double.
    public var point: [Double] { model.flatParameters.map { Double($0) } }
}
