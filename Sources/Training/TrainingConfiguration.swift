import NeuralNet
import TensorCore

/// The settings of a training run other than the model and the data.
public struct TrainingConfiguration: Sendable, Codable, Hashable {
    /// Passes over the training set.
    public var epochs: Int
    /// Examples per batch (the last batch of an epoch may be smaller).
    public var batchSize: Int
    /// The seed of every random choice the loop makes: each epoch's shuffle and each step's
    /// dropout masks come from generators derived from (seed, epoch) and (seed, step), so a
    /// run resumed from a checkpoint draws exactly what the uninterrupted run would have.
    public var seed: UInt64
    /// The gradient-flow monitor reads every `monitorEvery`-th step (step 0 included).
    public var monitorEvery: Int
    public var optimizer: OptimizerConfiguration
    /// At most this many batches per epoch (`nil`: all), for quick runs.
    public var batchesPerEpoch: Int?

    public init(
        epochs: Int = 10, batchSize: Int = 100, seed: UInt64 = 0, monitorEvery: Int = 10,
        optimizer: OptimizerConfiguration = OptimizerConfiguration(), batchesPerEpoch: Int? = nil
    ) {
        self.epochs = epochs; self.batchSize = batchSize; self.seed = seed; self.monitorEvery = monitorEvery
        self.optimizer = optimizer; self.batchesPerEpoch = batchesPerEpoch
    }

    public func validate() throws(TrainingError) {
        guard epochs >= 1 else { throw .invalidSetting(.epochs, "must be at least 1, got \(epochs)") }
        guard batchSize >= 1 else { throw .invalidSetting(.batchSize, "must be at least 1, got \(batchSize)") }
        guard monitorEvery >= 1 else { throw .invalidSetting(.monitorEvery, "must be at least 1, got \(monitorEvery)") }
        if let b = batchesPerEpoch, b < 1 { throw .invalidSetting(.batchesPerEpoch, "must be at least 1, got \(b)") }
        try optimizer.validate()
    }
}

/// Examples with targets: `inputs` of shape `[N] + model.inputShape`, one target per example.
public struct ExampleSet<Scalar: TensorScalar>: Sendable {
    public var name: String
    public var inputs: Tensor<Scalar>
    public var targets: Targets<Scalar>

    public init(name: String, inputs: Tensor<Scalar>, targets: Targets<Scalar>) {
        self.name = name; self.inputs = inputs; self.targets = targets
    }

    public var count: Int { inputs.shape.first ?? 0 }
}
