import Datasets
import NeuralNet

/// A setting of a training run that an error or a finding's fix names, in the library's own
/// terms. Front ends render it their own way: the command line maps each to its flag
/// (`gradscope/SettingFlags.swift`), so that library messages never name a flag.
public enum TrainingSetting: Sendable, Hashable {
    /// A setting of the model (activation, initialisation, L2 penalty, …).
    case model(ModelSetting)
    /// The update rule; with the rules a fix recommends.
    case optimizer([OptimizerKind])
    /// η.
    case learningRate
    /// μ.
    case momentum
    /// Adam's β₁ and β₂.
    case adamBetas
    /// Adam's ε.
    case adamEpsilon
    /// The weight-decay coefficient.
    case weightDecay
    /// Passes over the training set.
    case epochs
    /// Examples per batch.
    case batchSize
    /// Steps between monitor readings.
    case monitorEvery
    /// The cap on batches per epoch.
    case batchesPerEpoch
    /// How the inputs are scaled; with a value when a fix recommends one.
    case inputScaling(Normalization?)

    /// The setting in words: "learning rate", "batch size", …
    public var name: String {
        switch self {
        case .model(let m): return m.name
        case .optimizer: return "optimizer"
        case .learningRate: return "learning rate"
        case .momentum: return "momentum"
        case .adamBetas: return "Adam's β₁ and β₂"
        case .adamEpsilon: return "Adam's ε"
        case .weightDecay: return "weight decay"
        case .epochs: return "epochs"
        case .batchSize: return "batch size"
        case .monitorEvery: return "monitor interval"
        case .batchesPerEpoch: return "batches per epoch"
        case .inputScaling: return "input scaling"
        }
    }

    /// Shorthands for the model settings fixes recommend.
    public static func activation(_ a: ActivationKind) -> TrainingSetting { .model(.activation(a)) }
    public static func initialization(_ i: Initializer) -> TrainingSetting { .model(.initialization(i)) }
    public static var l2Penalty: TrainingSetting { .model(.l2Penalty) }
}
