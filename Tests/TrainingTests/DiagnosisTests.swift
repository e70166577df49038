import Datasets
import Foundation
import NeuralNet
import TensorCore
import Testing
@testable import Training

/// The diagnosis rules on real runs on the bundled digits (the calibration runs of
/// docs/diagnosis-calibration.md, shortened to 8 epochs).
struct DiagnosisTests {
    static let digits: (ExampleSet<Float>, ExampleSet<Float>)? = {
        guard let split = try? Digits.split().normalized(.unitInterval) else { return nil }
        return (ExampleSet(split.train), ExampleSet(split.test))
    }()

    func train(
        hidden: [Int], activation: ActivationKind, initializer: Initializer, epochs: Int = 8,
        optimizer: OptimizerConfiguration = OptimizerConfiguration(kind: .momentum, learningRate: 0.05, momentum: 0.9)
    ) throws
        -> (TrainingOutcome, Trainer<Float>)
    {
        let (train, test) = try #require(Self.digits)
        let model: Sequential<Float> = try Fixtures.model(
            sizes: [64] + hidden + [10], activation: activation,
            initializer: initializer, seed: 0)
        var trainer = try Trainer(
            model: model,
            configuration: TrainingConfiguration(
                epochs: epochs, batchSize: 32, seed: 0,
                monitorEvery: 10, optimizer: optimizer))
        return (try trainer.train(on: train, test: test), trainer)
    }

    @Test func deepSigmoidNetworkHasVanishingGradients() throws {
        let (outcome, trainer) = try train(
            hidden: [30, 30, 30, 30, 30], activation: .sigmoid, initializer: .xavierUniform)
        let finding = try #require(outcome.findings.first { $0.code == .vanishingGradients })
        #expect(try #require(finding.figures["ratio"]) < Diagnosis.Thresholds.vanishingRatio)
        #expect(finding.fixes.first?.settings.contains(.activation(.relu)) == true)
        // The first layer's median update is the smallest.
        let updates = trainer.history.layers.indices.map { l in
            Diagnosis.median(trainer.history.samples.map { $0.layers[l].meanAbsoluteUpdate })
        }
        #expect(updates[0] == updates.min())
    }

    @Test func sameNetworkWithReLUAndHeIsHealthy() throws {
        let (outcome, trainer) = try train(hidden: [30, 30, 30, 30, 30], activation: .relu, initializer: .he)
        #expect(outcome.findings.isEmpty, "\(outcome.findings.map(\.summary))")
        #expect((trainer.history.epochs.last?.testAccuracy ?? 0) > 0.8)
    }

    @Test func rawPixelsSaturateSigmoidUnits() throws {
        let (train, test) = try #require(Self.digits)
        let raw = ExampleSet(name: "raw", inputs: train.inputs * 16, targets: train.targets)
        let model: Sequential<Float> = try Fixtures.model(sizes: [64, 64, 10], activation: .sigmoid, seed: 0)
        var trainer = try Trainer(
            model: model,
            configuration: TrainingConfiguration(
                epochs: 3, batchSize: 32,
                optimizer: OptimizerConfiguration(learningRate: 0.05)))
        let outcome = try trainer.train(
            on: raw, test: ExampleSet(name: "raw", inputs: test.inputs * 16, targets: test.targets))
        #expect(outcome.findings.contains { $0.code == .saturation })
    }

    @Test func tooHighLearningRateKillsReLUs() throws {
        let (outcome, _) = try train(
            hidden: [100, 100], activation: .relu, initializer: .he, epochs: 3,
            optimizer: OptimizerConfiguration(kind: .sgd, learningRate: 3))
        let codes = Set(outcome.findings.map(\.code))
        #expect(codes.contains(.deadReLU) && codes.contains(.learningRateTooHigh), "\(codes)")
    }

    /// Fixes speak the library's terms and mark the settings they change: no flag in the
    /// text, the learning rate named as a setting, and a front end's rendering placed after
    /// the words that name it.
    @Test func fixesNameSettingsNotFlags() throws {
        let (outcome, _) = try train(
            hidden: [100, 100], activation: .relu, initializer: .he, epochs: 3,
            optimizer: OptimizerConfiguration(kind: .sgd, learningRate: 3))
        let fixes = outcome.findings.flatMap(\.fixes)
        #expect(!fixes.isEmpty)
        #expect(fixes.allSatisfy { !$0.description.contains("--") }, "\(fixes.map(\.description))")
        let high = try #require(outcome.findings.first { $0.code == .learningRateTooHigh })
        let lower = try #require(high.fixes.first)
        #expect(lower.settings == [.learningRate])
        #expect(lower.description.hasPrefix("lower the learning rate by "))
        #expect(lower.rendered { $0 == .learningRate ? " <η>" : "" }.hasPrefix("lower the learning rate <η> by "))
        let dead = try #require(outcome.findings.first { $0.code == .deadReLU })
        #expect(dead.fixes.flatMap(\.settings).contains(.activation(.leakyReLU)))
    }

    /// Validation errors name the setting in words; the fix text survives a JSON round trip.
    @Test func errorsAndFixesInLibraryTerms() throws {
        #expect(throws: TrainingError.invalidSetting(.learningRate, "must be a finite number > 0, got 0.0")) {
            try OptimizerConfiguration(kind: .sgd, learningRate: 0).validate()
        }
        #expect(
            TrainingError.invalidSetting(.batchSize, "must be at least 1, got 0").description
                == "batch size must be at least 1, got 0")
        #expect(
            ModelError.conflictingSettings([.preset, .layers, .hidden]).description
                == "give only one of preset, layer sizes and hidden sizes")
        let fix: TrainingFix = "use ReLU\(.activation(.relu)) with He initialisation\(.initialization(.he))"
        #expect(fix.description == "use ReLU with He initialisation")
        let data = try JSONEncoder().encode(fix)
        #expect(String(decoding: data, as: UTF8.self) == "\"use ReLU with He initialisation\"")
        #expect(try JSONDecoder().decode(TrainingFix.self, from: data).description == fix.description)
    }

    @Test func tinyLearningRateIsTooLow() throws {
        let (outcome, _) = try train(
            hidden: [64], activation: .sigmoid, initializer: .xavierUniform, epochs: 3,
            optimizer: OptimizerConfiguration(kind: .sgd, learningRate: 1e-4))
        #expect(outcome.findings.map(\.code) == [.learningRateTooLow])
    }

    /// The default small network reaches 95% on digits.
    @Test func defaultNetworkLearnsDigits() throws {
        let (outcome, trainer) = try train(hidden: [64], activation: .sigmoid, initializer: .xavierUniform, epochs: 30)
        #expect(outcome.findings.isEmpty)
        #expect((trainer.history.epochs.last?.testAccuracy ?? 0) >= 0.95)
    }
}

/// One short training run on Fashion-MNIST from Debian's `dataset-fashion-mnist`
/// (CI installs it; elsewhere the test is skipped).
struct FashionMNISTSmokeTests {
    static var available: Bool {
        FileManager.default.fileExists(atPath: DataSource.fashionMNISTDirectory + "/train-labels-idx1-ubyte.gz")
    }

    @Test(.enabled(if: available, "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)"))
    func trainsOnRealData() throws {
        let split = try DataSource.fashionMNIST.load().normalized(.unitInterval)
        #expect(split.train.count == 60_000 && split.test.count == 10_000)
        let model: Sequential<Float> = try Fixtures.model(
            sizes: [784, 32, 10], activation: .relu, initializer: .he, seed: 0)
        var trainer = try Trainer(
            model: model,
            configuration: TrainingConfiguration(
                epochs: 1, batchSize: 100, seed: 0, monitorEvery: 5,
                optimizer: OptimizerConfiguration(learningRate: 0.05), batchesPerEpoch: 60))
        let outcome = try trainer.train(
            on: ExampleSet(split.train, limit: 60_000), test: ExampleSet(split.test, limit: 1_000))
        #expect(outcome.stop == .completed)
        #expect((trainer.history.epochs.last?.testAccuracy ?? 0) > 0.6)
        #expect(trainer.history.batchLosses.last! < trainer.history.batchLosses.first!)
    }
}
