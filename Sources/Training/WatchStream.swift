import Datasets
import Foundation
import NeuralNet
import TensorCore

/// A `gradscope-watch/1` stream: what a training loop GradScope does not run reports about its
/// gradient flow, one JSON object per line (docs/watch.md is the contract). Decoded into the
/// same ``TrainingHistory`` the built-in trainer records, so that the same calibrated
/// ``Diagnosis`` reads it.
///
/// Lines, each with a `type`:
///
/// - `hello` (first): `protocol` "gradscope-watch/1", `layers` [{`name`, `activation`,
///   `weights`}], optional `settings` (`initialization`, `optimizer`, `learningRate`,
///   `weightDecay`, `l2`, `inputScaling`, `activation`).
/// - `sample`: `step`, `epoch`, `loss` (null when not finite), `layers` in the hello's order, each
///   {`meanAbsoluteUpdate`, `updateNorm`, `weightNorm`, `gradientNorm`, `updateRatio`,
///   `activationMean`, `activationStd`, `saturation`, `deadFraction`} (the last two null when the
///   activation has none).
/// - `loss`: `step`, `value` (null when not finite): a batch loss.
/// - `epoch`: `epoch`, optional `trainLoss` (null when not finite), `testLoss`, `testAccuracy`, `trainAccuracy`,
///   `steps`, `seconds`.
/// - `end` (last): `status` "completed" or "non-finite-loss" (with `epoch`, `step`).
///
/// A stream without an `end` was cut short (the program crashed or is still running); it is
/// diagnosed as far as it goes.
public struct WatchStream: Sendable {
    public static let protocolName = "gradscope-watch/1"

    public var history: TrainingHistory
    public var stop: StopReason
    /// What the program reported about its setup (unknown settings stay nil).
    public var run: RunDescription
    /// Whether the stream ended with an `end` line.
    public var ended: Bool
    /// The total weight count over the watched layers.
    public var weights: Int

    /// Decodes the stream's lines; `file` names it in errors.
    public static func decode(_ text: String, file: String) throws(WatchStreamError) -> WatchStream {
        var stream: WatchStream?
        var lineNumber = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            func bad(_ reason: String) -> WatchStreamError {
                .malformed(file: file, line: lineNumber, reason: reason)
            }
            let message: Line
            do { message = try JSONDecoder().decode(Line.self, from: Data(line.utf8)) } catch {
                throw bad("not a JSON object with a known `type` (\(Self.reason(error)))")
            }
            if stream?.ended == true { throw bad("a line after `end`") }
            switch message.type {
            case "hello":
                guard stream == nil else { throw bad("a second `hello`") }
                guard message.protocol == protocolName else {
                    throw bad(
                        "`protocol` is \(message.protocol.map { "'\($0)'" } ?? "missing"), expected '\(protocolName)'")
                }
                guard let layers = message.layers, !layers.isEmpty else { throw bad("`layers` is missing or empty") }
                var monitored = [MonitoredLayer]()
                for (k, l) in layers.enumerated() {
                    guard let name = l.name, !name.isEmpty else { throw bad("layer \(k + 1) has no `name`") }
                    let activation = l.activation ?? "identity"
                    guard Activation(name: activation) != nil else {
                        throw bad(
                            "layer \(name): unknown activation '\(activation)' (sigmoid, tanh, relu, leaky-relu, identity)"
                        )
                    }
                    guard let weights = l.weights, weights >= 0 else {
                        throw bad("layer \(name): `weights` is missing or negative")
                    }
                    monitored.append(
                        MonitoredLayer(
                            name: name, layerIndex: 2 * k, weightBlock: 2 * k, activationLayerIndex: 2 * k + 1,
                            activation: activation, weightCount: weights))
                }
                stream = WatchStream(
                    history: TrainingHistory(layers: monitored), stop: .completed,
                    run: try Self.run(message.settings, bad), ended: false,
                    weights: monitored.reduce(0) { $0 + $1.weightCount })
            case "sample":
                guard var s = stream else { throw bad("a `sample` before the `hello`") }
                guard let step = message.step, let layers = message.layers else {
                    throw bad("a `sample` needs `step` and `layers`")
                }
                guard layers.count == s.history.layers.count else {
                    throw bad("a `sample` with \(layers.count) layers; the hello declared \(s.history.layers.count)")
                }
                var samples = [LayerSample]()
                for (k, l) in layers.enumerated() {
                    guard let u = l.meanAbsoluteUpdate, let un = l.updateNorm, let wn = l.weightNorm,
                        let gn = l.gradientNorm, let r = l.updateRatio
                    else {
                        throw bad(
                            "layer \(s.history.layers[k].name): meanAbsoluteUpdate, updateNorm, weightNorm, gradientNorm and updateRatio are required"
                        )
                    }
                    samples.append(
                        LayerSample(
                            meanAbsoluteUpdate: u, updateNorm: un, weightNorm: wn, gradientNorm: gn, updateRatio: r,
                            activationMean: l.activationMean ?? .nan,
                            activationStandardDeviation: l.activationStd ?? .nan,
                            saturation: l.saturation, deadFraction: l.deadFraction))
                }
                s.history.samples.append(
                    MonitorSample(step: step, epoch: message.epoch ?? 0, loss: message.loss ?? .nan, layers: samples))
                stream = s
            case "loss":
                guard var s = stream else { throw bad("a `loss` before the `hello`") }
                s.history.batchLosses.append(message.value ?? .nan)
                stream = s
            case "epoch":
                guard var s = stream else { throw bad("an `epoch` before the `hello`") }
                guard let epoch = message.epoch else { throw bad("an `epoch` needs `epoch`") }
                let trainLoss = message.trainLoss ?? .nan
                s.history.epochs.append(
                    EpochRecord(
                        epoch: epoch, steps: message.steps ?? 0, trainLoss: trainLoss,
                        trainAccuracy: message.trainAccuracy, testLoss: message.testLoss,
                        testAccuracy: message.testAccuracy, seconds: message.seconds ?? 0))
                stream = s
            case "end":
                guard var s = stream else { throw bad("an `end` before the `hello`") }
                switch message.status {
                case "completed": s.stop = .completed
                case "non-finite-loss":
                    s.stop = .nonFiniteLoss(
                        epoch: message.epoch ?? 0, batch: 0, step: message.step ?? 0, loss: message.loss ?? .nan)
                default:
                    throw bad(
                        "`status` is \(message.status.map { "'\($0)'" } ?? "missing"), expected 'completed' or 'non-finite-loss'"
                    )
                }
                s.ended = true
                stream = s
            default:
                throw bad("unknown `type` '\(message.type)'")
            }
        }
        guard let stream else {
            throw .malformed(
                file: file, line: max(lineNumber, 1), reason: "no `hello` line: not a gradscope-watch/1 stream")
        }
        return stream
    }

    /// The settings a program reports, in the library's terms.
    static func run(
        _ settings: [String: Setting]?, _ bad: (String) -> WatchStreamError
    ) throws(WatchStreamError) -> RunDescription {
        var run = RunDescription()
        guard let settings else { return run }
        if let a = settings["activation"]?.text {
            guard let kind = ActivationKind(rawValue: a) else { throw bad("settings.activation '\(a)' is unknown") }
            run.activation = kind
        }
        if let i = settings["initialization"]?.text {
            guard let initializer = Initializer(rawValue: i) else {
                throw bad(
                    "settings.initialization '\(i)' is unknown (\(Initializer.allCases.map(\.rawValue).joined(separator: ", ")))"
                )
            }
            run.initializer = initializer
        }
        if let n = settings["inputScaling"]?.text {
            guard let scaling = Normalization(rawValue: n) else {
                throw bad("settings.inputScaling '\(n)' is unknown (raw, unit, standard)")
            }
            run.inputScaling = scaling
        }
        if let o = settings["optimizer"]?.text {
            guard let kind = OptimizerKind(rawValue: o) else {
                throw bad("settings.optimizer '\(o)' is unknown (sgd, momentum, nesterov, adam)")
            }
            var configuration = OptimizerConfiguration(kind: kind)
            if let lr = settings["learningRate"]?.number { configuration.learningRate = lr }
            if let decay = settings["weightDecay"]?.number { configuration.weightDecay = decay }
            run.optimizer = configuration
        }
        if let l2 = settings["l2"]?.number { run.l2Penalty = l2 }
        return run
    }

    static func reason(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "`\(key.stringValue)` is missing"
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c):
            return "`\(c.codingPath.map(\.stringValue).joined(separator: "."))` has the wrong type"
        case DecodingError.dataCorrupted(let c): return c.debugDescription
        default: return "\(error)"
        }
    }

    /// One line of the stream: every field any `type` uses, optional.
    struct Line: Decodable {
        var type: String
        var `protocol`: String?
        var layers: [LayerLine]?
        var settings: [String: Setting]?
        var step: Int?
        var epoch: Int?
        var loss: Double?
        var value: Double?
        var trainLoss: Double?
        var testLoss: Double?
        var testAccuracy: Double?
        var trainAccuracy: Double?
        var steps: Int?
        var seconds: Double?
        var status: String?
    }

    struct LayerLine: Decodable {
        var name: String?
        var activation: String?
        var weights: Int?
        var meanAbsoluteUpdate: Double?
        var updateNorm: Double?
        var weightNorm: Double?
        var gradientNorm: Double?
        var updateRatio: Double?
        var activationMean: Double?
        var activationStd: Double?
        var saturation: Double?
        var deadFraction: Double?
    }

    /// A setting's value: text or a number.
    struct Setting: Decodable {
        var text: String?
        var number: Double?
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let n = try? c.decode(Double.self) { number = n } else { text = try c.decode(String.self) }
        }
    }
}

/// A `gradscope-watch/1` stream that cannot be read, with the line that says why.
public enum WatchStreamError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed(file: String, line: Int, reason: String)

    public var description: String {
        switch self {
        case let .malformed(file, line, reason): return "\(file), line \(line): \(reason)"
        }
    }
}
