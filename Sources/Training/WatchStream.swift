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
    /// What the reader set aside without refusing the stream: a setting whose value GradScope
    /// does not know, which the advice then treats as not reported.
    public var notes: [String] = []

    /// Decodes the stream's lines; `file` names it in errors.
    public static func decode(_ text: String, file: String) throws(WatchStreamError) -> WatchStream {
        var reader = Reader(file: file)
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) { try reader.read(line) }
        return try reader.finished()
    }

    /// What one line of the stream was, for a reader that follows a stream as it is written
    /// (`gradscope watch` shows progress and warnings from these).
    public enum Event: Sendable, Equatable {
        case hello, sample, loss, epoch, end
        /// An empty line.
        case blank
    }

    /// Reads a stream line by line, as it is written: ``stream`` is the run as far as it goes.
    public struct Reader: Sendable {
        public let file: String
        /// The stream so far (nil before the `hello`).
        public private(set) var stream: WatchStream?
        /// The number of the last line read.
        public private(set) var lineNumber = 0
        /// How many times the kept history was halved to stay within ``limits``.
        public private(set) var thinnings = 0
        public let limits: Limits

        /// Bounds on what a reader keeps, so that a stream of any length (or a hostile one) is
        /// read in bounded memory: past a bound, every other older entry is dropped (non-finite
        /// losses are always kept), and the diagnosis reads the thinned history.
        public struct Limits: Sendable {
            /// Layer readings: samples × layers (about 90 bytes each).
            public var readings: Int
            public var batchLosses: Int
            public var epochs: Int
            public init(readings: Int = 2_000_000, batchLosses: Int = 4_000_000, epochs: Int = 1_000_000) {
                self.readings = readings; self.batchLosses = batchLosses; self.epochs = epochs
            }
        }

        public init(file: String, limits: Limits = Limits()) {
            self.file = file
            self.limits = limits
        }

        /// Halves an array past its bound, keeping the even entries and those `keep` marks.
        static func thin<T>(_ values: inout [T], keep: (T) -> Bool = { _ in false }) {
            values = values.enumerated().filter { $0.offset % 2 == 0 || keep($0.element) }.map(\.element)
        }

        /// Thins the history in place when it passed a bound.
        mutating func keepWithinLimits() {
            guard stream != nil else { return }
            let layers = max(1, stream!.history.layers.count)
            var thinned = false
            if stream!.history.samples.count * layers > limits.readings && stream!.history.samples.count > 1 {
                Self.thin(&stream!.history.samples)
                thinned = true
            }
            if stream!.history.batchLosses.count > limits.batchLosses {
                Self.thin(&stream!.history.batchLosses) { !$0.isFinite }
                thinned = true
            }
            if stream!.history.epochs.count > limits.epochs {
                Self.thin(&stream!.history.epochs)
                thinned = true
            }
            if thinned { thinnings += 1 }
        }

        /// Reads the next line (without its newline).
        @discardableResult
        public mutating func read(_ raw: Substring) throws(WatchStreamError) -> Event {
            lineNumber += 1
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { return .blank }
            let lineNumber = self.lineNumber, file = self.file
            func bad(_ reason: String) -> WatchStreamError {
                .malformed(file: file, line: lineNumber, reason: reason)
            }
            let message: Line
            do { message = try JSONDecoder().decode(Line.self, from: Data(line.utf8)) } catch {
                throw bad("not a JSON object with a known `type` (\(WatchStream.reason(error)))")
            }
            if stream?.ended == true { throw bad("a line after `end`") }
            switch message.type {
            case "hello":
                guard stream == nil else { throw bad("a second `hello`") }
                guard message.protocol == WatchStream.protocolName else {
                    throw bad(
                        "`protocol` is \(message.protocol.map { "'\($0)'" } ?? "missing"), expected '\(WatchStream.protocolName)'"
                    )
                }
                guard let layers = message.layers, !layers.isEmpty else { throw bad("`layers` is missing or empty") }
                var monitored = [MonitoredLayer]()
                var names = Set<String>()
                for (k, l) in layers.enumerated() {
                    guard let name = l.name, !name.isEmpty else { throw bad("layer \(k + 1) has no `name`") }
                    guard names.insert(name).inserted else {
                        throw bad("layer \(k + 1): the name '\(name)' is used twice (each layer needs its own)")
                    }
                    let activation = l.activation ?? "identity"
                    guard Activation(name: activation) != nil else {
                        throw bad(
                            "layer \(name): unknown activation '\(activation)' (sigmoid, tanh, relu, leaky-relu, identity)"
                        )
                    }
                    guard let weights = l.weights, weights >= 0 else {
                        throw bad("layer \(name): `weights` is missing or negative")
                    }
                    guard weights <= WatchStream.maximumLayerWeights else {
                        throw bad("layer \(name): `weights` \(weights) is more than any layer has (at most 2⁴⁸)")
                    }
                    monitored.append(
                        MonitoredLayer(
                            name: name, layerIndex: 2 * k, weightBlock: 2 * k, activationLayerIndex: 2 * k + 1,
                            activation: activation, weightCount: weights))
                }
                let (run, notes) = WatchStream.run(message.settings)
                stream = WatchStream(
                    history: TrainingHistory(layers: monitored), stop: .completed, run: run, ended: false,
                    weights: monitored.reduce(0) { $0 + $1.weightCount }, notes: notes)
                return .hello
            case "sample":
                guard let declared = stream?.history.layers else { throw bad("a `sample` before the `hello`") }
                guard let step = message.step, let layers = message.layers else {
                    throw bad("a `sample` needs `step` and `layers`")
                }
                guard layers.count == declared.count else {
                    throw bad("a `sample` with \(layers.count) layers; the hello declared \(declared.count)")
                }
                var samples = [LayerSample]()
                for (k, l) in layers.enumerated() {
                    // Required, and null when not finite (weights that went to NaN or ∞).
                    let missing = LayerLine.required.filter { !l.present.contains($0) }
                    guard missing.isEmpty else {
                        throw bad(
                            "layer \(declared[k].name): \(missing.joined(separator: ", ")) missing (meanAbsoluteUpdate, updateNorm, weightNorm, gradientNorm and updateRatio are required; null when not finite)"
                        )
                    }
                    samples.append(
                        LayerSample(
                            meanAbsoluteUpdate: l.meanAbsoluteUpdate ?? .nan, updateNorm: l.updateNorm ?? .nan,
                            weightNorm: l.weightNorm ?? .nan, gradientNorm: l.gradientNorm ?? .nan,
                            updateRatio: l.updateRatio ?? .nan,
                            activationMean: l.activationMean ?? .nan,
                            activationStandardDeviation: l.activationStd ?? .nan,
                            saturation: l.saturation, deadFraction: l.deadFraction))
                }
                // In place: a long run's history is not copied per line.
                stream!.history.samples.append(
                    MonitorSample(step: step, epoch: message.epoch ?? 0, loss: message.loss ?? .nan, layers: samples))
                keepWithinLimits()
                return .sample
            case "loss":
                guard stream != nil else { throw bad("a `loss` before the `hello`") }
                stream!.history.batchLosses.append(message.value ?? .nan)
                keepWithinLimits()
                return .loss
            case "epoch":
                guard stream != nil else { throw bad("an `epoch` before the `hello`") }
                guard let epoch = message.epoch else { throw bad("an `epoch` needs `epoch`") }
                let trainLoss = message.trainLoss ?? .nan
                stream!.history.epochs.append(
                    EpochRecord(
                        epoch: epoch, steps: message.steps ?? 0, trainLoss: trainLoss,
                        trainAccuracy: message.trainAccuracy, testLoss: message.testLoss,
                        testAccuracy: message.testAccuracy, seconds: message.seconds ?? 0))
                keepWithinLimits()
                return .epoch
            case "end":
                guard stream != nil else { throw bad("an `end` before the `hello`") }
                switch message.status {
                case "completed": stream!.stop = .completed
                case "non-finite-loss":
                    stream!.stop = .nonFiniteLoss(
                        epoch: message.epoch ?? 0, batch: 0, step: message.step ?? 0, loss: message.loss ?? .nan)
                default:
                    throw bad(
                        "`status` is \(message.status.map { "'\($0)'" } ?? "missing"), expected 'completed' or 'non-finite-loss'"
                    )
                }
                stream!.ended = true
                return .end
            default:
                throw bad("unknown `type` '\(message.type)'")
            }
        }

        /// The stream as read; refused when it never said `hello`.
        public func finished() throws(WatchStreamError) -> WatchStream {
            guard let stream else {
                throw .malformed(
                    file: file, line: max(lineNumber, 1), reason: "no `hello` line: not a gradscope-watch/1 stream")
            }
            return stream
        }
    }

    /// The most weights a layer may declare: more than any machine holds, and small enough
    /// that no sum over layers overflows.
    public static let maximumLayerWeights = 1 << 48

    /// Other names programs use for a setting's value, in GradScope's terms (AdamW is Adam with
    /// decoupled weight decay; Kaiming and Glorot are He and Xavier).
    static let aliases: [String: [String: String]] = [
        "optimizer": ["adamw": "adam"],
        "initialization": [
            "kaiming": "he", "kaiming-normal": "he", "kaiming-uniform": "he", "glorot": "xavier",
            "glorot-uniform": "xavier",
            "xavier-uniform": "xavier", "glorot-normal": "xavier-normal"
        ],
        "activation": ["leaky_relu": "leaky-relu", "leakyrelu": "leaky-relu"]
    ]

    /// The settings a program reports, in the library's terms, and a note for each value that
    /// GradScope does not know: such a setting counts as not reported (its advice is to
    /// check it), rather than refusing a run the program has already trained.
    static func run(_ settings: [String: Setting]?) -> (RunDescription, [String]) {
        var run = RunDescription()
        var notes = [String]()
        guard let settings else { return (run, notes) }
        func text<T: RawRepresentable & CaseIterable>(_ key: String, _ type: T.Type) -> T? where T.RawValue == String {
            guard let setting = settings[key] else { return nil }
            let known = T.allCases.map(\.rawValue).joined(separator: ", ")
            guard case .text(let given) = setting else {
                notes.append("settings.\(key) is \(setting.shown), not one of \(known): taken as not reported")
                return nil
            }
            // PyTorch's names (kaiming_normal, xavier_uniform) with hyphens.
            let name = given.lowercased().replacingOccurrences(of: "_", with: "-")
            let canonical = aliases[key]?[name] ?? name
            guard let value = T(rawValue: canonical) else {
                notes.append("settings.\(key) '\(given)' is not one GradScope knows (\(known)): taken as not reported")
                return nil
            }
            return value
        }
        func number(_ key: String) -> Double? {
            guard let setting = settings[key] else { return nil }
            guard case .number(let n) = setting, n.isFinite else {
                notes.append("settings.\(key) is \(setting.shown), not a number: taken as not reported")
                return nil
            }
            return n
        }
        run.activation = text("activation", ActivationKind.self)
        run.initializer = text("initialization", Initializer.self)
        run.inputScaling = text("inputScaling", Normalization.self)
        let learningRate = number("learningRate"), weightDecay = number("weightDecay")
        if let kind = text("optimizer", OptimizerKind.self) {
            var configuration = OptimizerConfiguration(kind: kind)
            if let learningRate { configuration.learningRate = learningRate }
            if let weightDecay { configuration.weightDecay = weightDecay }
            run.optimizer = configuration
        } else if learningRate != nil || weightDecay != nil {
            notes.append(
                "settings.learningRate and weightDecay are read with a known optimizer (sgd, momentum, nesterov, adam): taken as not reported"
            )
        }
        run.l2Penalty = number("l2")
        return (run, notes)
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
        /// The keys the line has, null or not: a required figure may be null (not finite) but
        /// not missing.
        var present = Set<String>()

        static let required = ["meanAbsoluteUpdate", "updateNorm", "weightNorm", "gradientNorm", "updateRatio"]

        enum CodingKeys: String, CodingKey {
            case name, activation, weights, meanAbsoluteUpdate, updateNorm, weightNorm, gradientNorm, updateRatio
            case activationMean, activationStd, saturation, deadFraction
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            present = Set(c.allKeys.map(\.stringValue))
            name = try c.decodeIfPresent(String.self, forKey: .name)
            activation = try c.decodeIfPresent(String.self, forKey: .activation)
            weights = try c.decodeIfPresent(Int.self, forKey: .weights)
            meanAbsoluteUpdate = try c.decodeIfPresent(Double.self, forKey: .meanAbsoluteUpdate)
            updateNorm = try c.decodeIfPresent(Double.self, forKey: .updateNorm)
            weightNorm = try c.decodeIfPresent(Double.self, forKey: .weightNorm)
            gradientNorm = try c.decodeIfPresent(Double.self, forKey: .gradientNorm)
            updateRatio = try c.decodeIfPresent(Double.self, forKey: .updateRatio)
            activationMean = try c.decodeIfPresent(Double.self, forKey: .activationMean)
            activationStd = try c.decodeIfPresent(Double.self, forKey: .activationStd)
            saturation = try c.decodeIfPresent(Double.self, forKey: .saturation)
            deadFraction = try c.decodeIfPresent(Double.self, forKey: .deadFraction)
        }
    }

    /// A setting's value: text, a number, or something else (null, true, a list), which the
    /// reader notes and sets aside.
    enum Setting: Decodable {
        case text(String)
        case number(Double)
        case other(String)

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() {
                self = .other("null")
            } else if let b = try? c.decode(Bool.self) {
                self = .other(b ? "true" : "false")
            } else if let n = try? c.decode(Double.self) {
                self = .number(n)
            } else if let t = try? c.decode(String.self) {
                self = .text(t)
            } else {
                self = .other("a list or an object")
            }
        }

        /// The value as a note quotes it.
        var shown: String {
            switch self {
            case .text(let t): return "'\(t)'"
            case .number(let n): return "\(n)"
            case .other(let o): return o
            }
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
