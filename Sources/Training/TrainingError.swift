/// Errors in what a user gives training: settings, data and checkpoint files. Each reads as
/// one line naming the field or the byte offset.
public enum TrainingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A setting outside its range (learning rate, batch size, …).
    case invalidConfiguration(String)
    /// A setting outside its range; the message follows the setting's name ("must be at least 1, got 0").
    case invalidSetting(TrainingSetting, String)
    /// The training or test examples do not fit the model.
    case invalidData(String)
    /// A checkpoint file that cannot be read or does not match the run.
    case badCheckpoint(path: String, reason: String)
    /// A file that could not be written.
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let message): return message
        case let .invalidSetting(setting, message): return "\(setting.name) \(message)"
        case .invalidData(let message): return message
        case let .badCheckpoint(path, reason): return "checkpoint \(path): \(reason)"
        case let .cannotWrite(path, reason): return "cannot write \(path): \(reason)"
        }
    }
}
