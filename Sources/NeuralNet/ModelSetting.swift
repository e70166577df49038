/// A setting of the model description (``ArchitectureSpec``) that an error or a fix names, in
/// the library's own terms. Front ends render it their own way: the command line maps each to
/// its flag (`gradscope/SettingFlags.swift`), so that library messages never name a flag.
public enum ModelSetting: Sendable, Hashable {
    /// A named preset architecture.
    case preset
    /// The layer sizes from input to output.
    case layers
    /// The hidden-layer sizes.
    case hidden
    /// The hidden layers' activation; with a value when a fix recommends one.
    case activation(ActivationKind?)
    /// The loss.
    case loss
    /// The L2 penalty λ.
    case l2Penalty
    /// The number of examples of a synthetic problem.
    case examples
    /// The weight initialisation; with a value when a fix recommends one.
    case initialization(Initializer?)

    /// The setting in words: "hidden sizes", "L2 penalty λ", …
    public var name: String {
        switch self {
        case .preset: return "preset"
        case .layers: return "layer sizes"
        case .hidden: return "hidden sizes"
        case .activation: return "activation"
        case .loss: return "loss"
        case .l2Penalty: return "L2 penalty λ"
        case .examples: return "examples"
        case .initialization: return "initialisation"
        }
    }
}
