/// Errors in what a user gives a model: shapes, labels, data. Each names the layer or input
/// and the shapes involved, in one line.
public enum ModelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Layer `index` (1-based, with its kind) cannot take the shape the previous layer gives.
    case layerShapeMismatch(layer: Int, kind: String, inputShape: [Int], reason: String)
    /// The inputs' per-example shape is not what the model expects.
    case inputShapeMismatch(expected: [Int], got: [Int])
    /// The targets do not fit the model's output.
    case targetShapeMismatch(expected: String, got: String)
    /// A class label outside `0..<classes`, at example `index`.
    case labelOutOfRange(index: Int, label: Int, classes: Int)
    /// A batch with no examples.
    case emptyBatch
    /// A NaN or infinity in the named input at a row-major offset.
    case nonFinite(what: String, offset: Int)
    /// A parameter vector of the wrong length.
    case parameterCountMismatch(expected: Int, got: Int)
    /// An invalid architecture or option (from flags or a preset).
    case invalidArchitecture(String)
    /// A setting outside its range; the message follows the setting's name ("must be positive, got [0]").
    case invalidSetting(ModelSetting, String)
    /// Settings of which only one may be given.
    case conflictingSettings([ModelSetting])

    public var description: String {
        switch self {
        case let .layerShapeMismatch(layer, kind, inputShape, reason):
            return "layer \(layer) (\(kind)) cannot take input of shape \(inputShape): \(reason)"
        case let .inputShapeMismatch(expected, got):
            return "inputs have per-example shape \(got), the model expects \(expected)"
        case let .targetShapeMismatch(expected, got):
            return "targets do not fit the model output: expected \(expected), got \(got)"
        case let .labelOutOfRange(index, label, classes):
            return "label \(label) of example \(index) is out of range 0..<\(classes)"
        case .emptyBatch:
            return "the batch is empty: at least one example is needed"
        case let .nonFinite(what, offset):
            return "\(what) has a non-finite value (NaN or infinity) at offset \(offset)"
        case let .parameterCountMismatch(expected, got):
            return "parameter vector has \(got) entries, the model has \(expected)"
        case let .invalidArchitecture(message):
            return message
        case let .invalidSetting(setting, message):
            return "\(setting.name) \(message)"
        case let .conflictingSettings(settings):
            return "give only one of " + ModelError.list(settings.map(\.name))
        }
    }

    /// "a", "a and b", "a, b and c".
    public static func list(_ items: [String]) -> String {
        items.count <= 2
            ? items.joined(separator: " and ") : items.dropLast().joined(separator: ", ") + " and " + items.last!
    }
}
