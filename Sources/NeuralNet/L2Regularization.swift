import TensorCore

/// L2 regularisation R(θ) = λ/(2m) Σ θ² over the parameters it covers, with gradient λ/m·θ,
/// where m is the number of examples in the batch (ex4's convention). By default it covers
/// weights and kernels but not biases (ex4 leaves Θ's bias column out).
public struct L2Regularization: Sendable, Hashable, Codable {
    public var lambda: Double
    public var includeBiases: Bool

    public init(lambda: Double = 0, includeBiases: Bool = false) {
        self.lambda = lambda; self.includeBiases = includeBiases
    }

    /// Whether parameters with this role are regularised.
    public func covers(_ role: ParameterRole) -> Bool { role != .bias || includeBiases }

    /// λ/(2m) Σ θ² for one parameter tensor.
    public func cost<S: TensorScalar>(_ theta: Tensor<S>, examples m: Int) -> Double {
        guard lambda != 0 else { return 0 }
        var s = 0.0
        for x in theta.scalars { s += Double(x) * Double(x) }
        return cost(sumOfSquares: s, examples: m)
    }

    /// λ/(2m)·s for s = Σ θ², however the sum was taken (the training workspace's vectorised
    /// reduction gives it too).
    public func cost(sumOfSquares s: Double, examples m: Int) -> Double {
        lambda / (2 * Double(m)) * s
    }

    /// λ/m: the gradient of the cost is this times θ.
    public func gradientCoefficient(examples m: Int) -> Double { lambda / Double(m) }

    /// Adds λ/m·θ to `gradient`.
    public func addGradient<S: TensorScalar>(_ theta: Tensor<S>, examples m: Int, to gradient: inout Tensor<S>) {
        guard lambda != 0 else { return }
        gradient.add(theta, scaledBy: S(gradientCoefficient(examples: m)))
    }
}
