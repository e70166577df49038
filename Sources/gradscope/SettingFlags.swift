import Datasets
import GradCheck
import NeuralNet
import Training

/// How the command line names the library's settings: the one place where a ``ModelSetting``
/// or ``TrainingSetting`` becomes a flag, so that errors and the diagnosis's fixes, which the
/// library words in its own terms, name the flag to change.
enum SettingFlags {
    /// `--hidden`, `--init xavier`, `--optimizer momentum|adam`, …; nil for settings without a flag.
    static func flag(_ setting: ModelSetting) -> String? {
        switch setting {
        case .preset: return "--model"
        case .layers: return "--layers"
        case .hidden: return "--hidden"
        case .activation(let a): return "--activation" + (a.map { " " + $0.rawValue } ?? "")
        case .loss: return "--loss"
        case .l2Penalty: return "--lambda"
        case .examples: return "--examples"
        case .initialization(let i): return "--init" + (i.map { " " + $0.rawValue } ?? "")
        }
    }

    static func flag(_ setting: TrainingSetting) -> String? {
        switch setting {
        case .model(let m): return flag(m)
        case .optimizer(let kinds):
            return "--optimizer" + (kinds.isEmpty ? "" : " " + kinds.map(\.rawValue).joined(separator: "|"))
        case .learningRate: return "--lr"
        case .momentum: return "--momentum"
        case .weightDecay: return "--weight-decay"
        case .epochs: return "--epochs"
        case .batchSize: return "--batch"
        case .monitorEvery: return "--monitor-every"
        case .inputScaling(let n): return "--normalize" + (n.map { " " + $0.rawValue } ?? "")
        case .adamBetas, .adamEpsilon, .batchesPerEpoch: return nil
        }
    }

    /// A fix as the command line prints it: each setting it names followed by its flag in
    /// parentheses ("lower the learning rate (--lr)").
    static func render(_ fix: TrainingFix) -> String {
        fix.rendered { flag($0).map { " (\($0))" } ?? "" }
    }

    /// An error's one-line message, with the settings it names given as flags.
    static func message(_ error: any Error) -> String {
        switch error {
        case ModelError.invalidSetting(let s, let message): return "\(flag(s) ?? s.name) \(message)"
        case ModelError.conflictingSettings(let s):
            return "give only one of " + ModelError.list(s.map { flag($0) ?? $0.name })
        case TrainingError.invalidSetting(let s, let message): return "\(flag(s) ?? s.name) \(message)"
        case DatasetError.unknownSource(let argument):
            return "--data '\(argument)': unknown data source; expected \(DatasetError.knownSources)"
        case let error as MergeError:
            return error.message(
                MergeError.Options(partial: "pass --partial", plan: "give every shard the same --plan file"))
        default: return "\(error)"
        }
    }
}

/// A ``TrainingFinding`` as the command line writes it (text, JSON, reports): the same fields,
/// with each fix a string naming flags. The JSON field names and order are the contract.
struct RenderedFinding: Encodable {
    var code: TrainingFinding.Code
    var severity: TrainingFinding.Severity
    var summary: String
    var evidence: [String]
    var figures: [String: Double]
    var fixes: [String]

    /// `flags`: name each setting's flag (a GradScope run); false for a program's own loop,
    /// whose settings have no flag (the fixes then read in the library's words).
    init(_ f: TrainingFinding, flags: Bool = true) {
        code = f.code; severity = f.severity; summary = f.summary; evidence = f.evidence; figures = f.figures
        fixes = f.fixes.map { flags ? SettingFlags.render($0) : $0.description }
    }
}
