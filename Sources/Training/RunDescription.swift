import Datasets
import NeuralNet

/// What the diagnosis knows about how a run was set up, so that its advice fits the run: a
/// fix never suggests a setting the run already uses. Every field is optional; an unknown one
/// leaves the general advice in place.
public struct RunDescription: Sendable, Hashable, Codable {
    /// The hidden layers' activation.
    public var activation: ActivationKind?
    /// The weight initialisation.
    public var initializer: Initializer?
    /// The optimizer and its hyperparameters.
    public var optimizer: OptimizerConfiguration?
    /// The L2 penalty λ of the cost.
    public var l2Penalty: Double?
    /// How the inputs were scaled.
    public var inputScaling: Normalization?

    public init(
        activation: ActivationKind? = nil, initializer: Initializer? = nil, optimizer: OptimizerConfiguration? = nil,
        l2Penalty: Double? = nil, inputScaling: Normalization? = nil
    ) {
        self.activation = activation; self.initializer = initializer; self.optimizer = optimizer
        self.l2Penalty = l2Penalty; self.inputScaling = inputScaling
    }

    /// Whether the run uses one of the Xavier (Glorot) initialisations.
    var usesXavier: Bool { initializer == .xavierUniform || initializer == .xavierNormal }
}
