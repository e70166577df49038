import ArgumentParser
import Datasets
import Foundation
import NeuralNet
import TensorCore
import Training

/// Everything that defines a run apart from the training settings: stored in the checkpoint's
/// metadata so that `--resume` rebuilds the same model on the same data.
struct RunSettings: Codable, Equatable {
    var spec: ArchitectureSpec
    var data: String
    /// Typed: a checkpoint whose settings name an unknown normalisation or dtype is refused,
    /// never read with a default.
    var normalization: Normalization
    var dtype: DType
    /// The label shown in plots and tables (`compare` sets it per configuration).
    var label: String

    static let metadataKey = "gradscope.run"

    var metadata: [String: String] {
        let json = (try? CheckpointJSON.encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return [Self.metadataKey: json]
    }

    /// The initialisation the model gets: the flag's, else the preset's or the dense default
    /// (nil for a preset with its own scheme that no flag names).
    var initializer: Initializer? {
        if let i = spec.initializer { return i }
        switch spec.preset {
        case .ex4Debug?: return .debug
        case .ex4?: return .ex4
        case .cs231nTwoLayer?: return nil
        case nil: return .xavierUniform
        }
    }

    init(spec: ArchitectureSpec, data: String, normalization: Normalization, dtype: DType, label: String) {
        self.spec = spec; self.data = data; self.normalization = normalization; self.dtype = dtype; self.label = label
    }

    init(metadata: [String: String], path: String) throws {
        guard let json = metadata[Self.metadataKey],
            let value = try? CheckpointJSON.decoder.decode(RunSettings.self, from: Data(json.utf8))
        else {
            throw CLIError.input("checkpoint \(path): it has no gradscope run settings (written by another program?)")
        }
        self = value
    }
}

/// The outcome of one run, for reports.
struct RunResult {
    var settings: RunSettings
    var configuration: TrainingConfiguration
    var history: TrainingHistory
    var outcome: TrainingOutcome
    var parameterCount: Int
    var architecture: String
    var shortArchitecture: String
    var dataDescription: String
    var seconds: Double
    /// The L2 penalty λ the model was trained with (a preset's own when no flag gave one).
    var l2Penalty: Double = 0

    var finalEpoch: EpochRecord? { history.epochs.last }
}

/// CLI failures with their exit codes (documented in `gradscope train --help`).
/// Exit status of a run stopped by a NaN or infinite loss.
let nonFiniteExitCode: Int32 = ExitStatus.evaluation

enum TrainingSession {
    /// Loads and normalises the data set, as float tensors with flattened images.
    static func loadData(_ argument: String, normalization: Normalization) throws -> DatasetSplit {
        do {
            return try DataSource(parsing: argument).load().normalized(normalization)
        } catch {
            throw CLIError.input(SettingFlags.message(error))
        }
    }

    /// Refuses (exit 64, with the estimate) a run that would need more memory than
    /// `--max-memory` or the available memory, before the model is built.
    static func refuseOversized(
        _ settings: RunSettings, configuration: TrainingConfiguration, split: DatasetSplit?,
        memory: MemoryOptions
    ) throws {
        let spec = settings.spec
        let sizes: [Int]
        var trainCount = 0, testCount = 0
        if let preset = spec.presetSizes {
            sizes = preset
            trainCount = spec.presetExamples ?? 0
        } else if let split {
            do { sizes = try spec.sizes(inputSize: split.train.featureCount, outputSize: split.train.classes) } catch {
                throw ValidationError(SettingFlags.message(error))
            }
            trainCount = Swift.min(split.train.count, spec.examples ?? split.train.count)
            testCount = split.test.count
        } else {
            return
        }
        let slots: Int
        switch configuration.optimizer.kind {
        case .sgd: slots = 0
        case .momentum, .nesterov: slots = 1
        case .adam: slots = 2
        }
        let estimate = MemoryBudget.trainEstimate(
            sizes: sizes, trainCount: trainCount, testCount: testCount,
            batch: configuration.batchSize, scalarBytes: settings.dtype == .float64 ? 8 : 4,
            optimizerSlots: slots)
        try memory.enforce(estimate, for: settings.label == "run" ? "this run" : "configuration \(settings.label)")
    }

    /// Builds the model for `settings` on `split` (or the preset's own data).
    static func model<S: TensorScalar>(
        _ settings: RunSettings, split: DatasetSplit?
    ) throws
        -> (Sequential<S>, ExampleSet<S>, ExampleSet<S>?, String)
    {
        let spec = settings.spec
        do {
            if let preset = spec.preset {
                let problem: SupervisedProblem<S> = try preset.problem(spec)
                return (
                    problem.model, ExampleSet(name: preset.rawValue, inputs: problem.inputs, targets: problem.targets),
                    nil,
                    "\(preset.rawValue) (\(problem.inputs.shape[0]) examples: \(preset.summary))"
                )
            }
            guard let split else { throw ValidationError("no data") }
            let sizes = try spec.sizes(inputSize: split.train.featureCount, outputSize: split.train.classes)
            let model: Sequential<S> = try spec.makeModel(sizes: sizes)
            let train = ExampleSet<S>(split.train, limit: spec.examples)
            let test = ExampleSet<S>(split.test)
            return (
                model, train, test,
                "\(settings.data): \(train.count) training and \(test.count) test images of \(split.train.imageShape.map(String.init).joined(separator: "×")), \(settings.normalization.rawValue) scaling"
            )
        } catch let error as ModelError {
            throw ValidationError(SettingFlags.message(error))
        }
    }

    /// `64-30-30-10 sigmoid`: layer sizes and the hidden activation, for titles.
    static func shortArchitecture<S: TensorScalar>(_ model: Sequential<S>) -> String {
        let sizes = [model.inputShape.reduce(1, *)] + model.layers.compactMap { ($0 as? Dense<S>)?.outputSize }
        let activations = Set(model.layers.compactMap { $0.activation.flatMap { $0.isNonlinear ? $0.name : nil } })
        return sizes.map(String.init).joined(separator: "-")
            + (activations.isEmpty ? "" : " " + activations.sorted().joined(separator: "/"))
    }

    static func architecture<S: TensorScalar>(_ model: Sequential<S>) -> String {
        var parts = ["\(model.inputShape.reduce(1, *))"]
        for layer in model.layers {
            if let dense = layer as? Dense<S> {
                parts.append("dense \(dense.outputSize)")
            } else {
                parts.append(layer.kind)
            }
        }
        return parts.joined(separator: " → ") + " (\(model.loss.kind))"
    }

    /// Trains one configuration, reporting progress on stderr.
    static func run<S: TensorScalar>(
        _: S.Type, settings: RunSettings, configuration: TrainingConfiguration,
        split: DatasetSplit?, resume: Checkpoint<S>?, checkpointPath: String?,
        progress: TrainingProgress
    ) throws -> RunResult {
        let (model, train, test, dataDescription) =
            try model(settings, split: split) as (Sequential<S>, ExampleSet<S>, ExampleSet<S>?, String)
        var trainer: Trainer<S>
        do {
            if let resume {
                trainer = try Trainer(resuming: resume, model: model, epochs: configuration.epochs)
            } else {
                trainer = try Trainer(model: model, configuration: configuration)
            }
        } catch {
            if case .badCheckpoint = error { throw CLIError.input(error.description) }
            throw ValidationError(SettingFlags.message(error))
        }
        trainer.runDescription = RunDescription(
            activation: settings.spec.activation, initializer: settings.initializer,
            inputScaling: settings.spec.preset == nil ? settings.normalization : nil)
        let started = Date()
        let outcome: TrainingOutcome
        do {
            outcome = try trainer.train(
                on: train, test: test, checkpointPath: checkpointPath, metadata: settings.metadata,
                observe: { progress.handle($0, label: settings.label) },
                shouldStop: { Interruption.shared.requested })
        } catch {
            progress.finish()
            switch error {
            case .cannotWrite: throw CLIError.output(error.description)
            case .badCheckpoint, .invalidData: throw CLIError.input(error.description)
            case .invalidConfiguration(let m): throw ValidationError(m)
            case .invalidSetting: throw ValidationError(SettingFlags.message(error))
            }
        }
        progress.finish()
        return RunResult(
            settings: settings, configuration: trainer.configuration, history: trainer.history, outcome: outcome,
            parameterCount: trainer.model.parameterCount, architecture: architecture(trainer.model),
            shortArchitecture: shortArchitecture(trainer.model),
            dataDescription: dataDescription, seconds: Date().timeIntervalSince(started),
            l2Penalty: trainer.model.regularization.lambda)
    }
}
