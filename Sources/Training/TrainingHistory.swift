/// What one epoch gave: losses and accuracies on the training batches and the test split.
public struct EpochRecord: Sendable, Codable, Equatable {
    /// The epoch, from 1.
    public var epoch: Int
    /// Global steps taken by the end of the epoch.
    public var steps: Int
    /// Mean batch loss (data + regularisation) over the epoch's batches, before each step.
    public var trainLoss: Double
    /// Fraction of training examples classified correctly by the batch they were in, before
    /// that batch's step (`nil` for targets that are not classes).
    public var trainAccuracy: Double?
    /// Mean data loss and accuracy on the test split after the epoch (`nil` without one).
    public var testLoss: Double?
    public var testAccuracy: Double?
    /// Wall-clock seconds of the epoch, evaluation included (not part of any comparison).
    public var seconds: Double

    public init(
        epoch: Int, steps: Int, trainLoss: Double, trainAccuracy: Double?, testLoss: Double?,
        testAccuracy: Double?, seconds: Double
    ) {
        self.epoch = epoch; self.steps = steps; self.trainLoss = trainLoss; self.trainAccuracy = trainAccuracy
        self.testLoss = testLoss; self.testAccuracy = testAccuracy; self.seconds = seconds
    }
}

/// Everything a run recorded: the loss of every batch, one record per epoch, and the
/// gradient-flow monitor's readings. Stored in checkpoints, so that a resumed run's history
/// continues the original's.
public struct TrainingHistory: Sendable, Codable, Equatable {
    /// The layers the monitor watches.
    public var layers: [MonitoredLayer]
    /// The loss of every batch, by global step.
    public var batchLosses: [Double] = []
    public var epochs: [EpochRecord] = []
    public var samples: [MonitorSample] = []
    /// Codes of the findings already reported as live warnings.
    public var warned: [TrainingFinding.Code] = []

    public init(layers: [MonitoredLayer]) { self.layers = layers }

    /// The monitor's series for one layer: (step, value) pairs.
    public func series(layer: Int, _ value: (LayerSample) -> Double?) -> [(step: Int, value: Double)] {
        samples.compactMap { sample in value(sample.layers[layer]).map { (sample.step, $0) } }
    }
}
