/// The JSON header of a checkpoint file: everything but the tensors' values.
public struct CheckpointHeader: Sendable, Codable, Equatable {
    /// A parameter block's name and shape, to check a checkpoint against a model.
    public struct Block: Sendable, Codable, Hashable {
        public var name: String
        public var shape: [Int]
        public init(name: String, shape: [Int]) { self.name = name; self.shape = shape }
    }

    /// Where one tensor's values sit in the payload (offsets and lengths in elements).
    public struct Entry: Sendable, Codable, Equatable {
        /// `parameters/layer1.weight`, `optimizer/velocity/layer1.weight`, ….
        public var name: String
        public var shape: [Int]
        public var offset: Int
    }

    public static let formatName = "gradscope-checkpoint"
    public static let currentVersion = 2

    public var format = CheckpointHeader.formatName
    public var version = CheckpointHeader.currentVersion
    /// `float32` or `float64`: the payload holds IEEE 754 values of this width, little-endian.
    public var dtype: String
    public var blocks: [Block]
    public var configuration: TrainingConfiguration
    public var epochsCompleted: Int
    public var step: Int
    public var optimizerStep = 0
    public var history: TrainingHistory
    /// Where an interrupted epoch stopped (`nil` at the end of an epoch): a run resumed from
    /// this checkpoint continues that epoch at the next batch.
    public var epochProgress: EpochProgress?
    /// Free-form settings of whoever wrote the checkpoint (the CLI's model and data flags).
    public var metadata: [String: String]
    /// Filled in by ``Checkpoint/write(to:)``.
    public var tensors: [Entry] = []
    public var payloadElements = 0
    /// FNV-1a (64-bit) of the payload bytes, as 16 hex digits.
    public var payloadChecksum = ""

    public init(
        dtype: String, blocks: [Block], configuration: TrainingConfiguration, epochsCompleted: Int, step: Int,
        history: TrainingHistory, metadata: [String: String]
    ) {
        self.dtype = dtype; self.blocks = blocks; self.configuration = configuration
        self.epochsCompleted = epochsCompleted; self.step = step; self.history = history; self.metadata = metadata
    }
}

/// The part of an epoch done when a run was interrupted (Ctrl-C) in the middle of it.
public struct EpochProgress: Sendable, Codable, Equatable {
    /// Batches of the epoch already taken.
    public var batches: Int
    /// The sums behind the epoch's train loss and accuracy so far.
    public var lossSum: Double
    public var correct: Int
    public var seen: Int
    /// Seconds spent in the epoch so far.
    public var seconds: Double
    public init(batches: Int, lossSum: Double, correct: Int, seen: Int, seconds: Double) {
        self.batches = batches; self.lossSum = lossSum; self.correct = correct; self.seen = seen; self.seconds = seconds
    }
}
