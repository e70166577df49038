import Foundation
import NeuralNet
import TensorCore
import Testing
@testable import Training

struct TrainerTests {
    static let configuration = TrainingConfiguration(
        epochs: 3, batchSize: 16, seed: 42, monitorEvery: 2,
        optimizer: OptimizerConfiguration(kind: .momentum, learningRate: 0.05, momentum: 0.9))

    func makeTrainer<S: TensorScalar>(
        _: S.Type, _ configuration: TrainingConfiguration = Self.configuration,
        optimizer: OptimizerKind = .momentum
    ) throws -> Trainer<S> {
        var configuration = configuration
        configuration.optimizer.kind = optimizer
        return try Trainer(
            model: try Fixtures.model(sizes: [6, 8, 8, 3], activation: .tanh), configuration: configuration)
    }

    @Test func learnsBlobs() throws {
        let data: ExampleSet<Float> = Fixtures.blobs(count: 150)
        var trainer = try makeTrainer(Float.self)
        let outcome = try trainer.train(on: data, test: Fixtures.blobs(count: 60, seed: 1))
        #expect(outcome.stop == .completed)
        #expect(trainer.history.epochs.count == 3)
        #expect((trainer.history.epochs.last?.testAccuracy ?? 0) > 0.9)
        #expect(trainer.history.batchLosses.count == 3 * 10)
        // Steps 0, 2, 4, … are monitored: 15 samples of 3 layers each.
        #expect(trainer.history.samples.map(\.step) == Array(stride(from: 0, to: 30, by: 2)))
        #expect(trainer.history.samples.allSatisfy { $0.layers.count == 3 })
    }

    @Test(arguments: OptimizerKind.allCases)
    func sameSeedSameRun(optimizer: OptimizerKind) throws {
        let data: ExampleSet<Float> = Fixtures.blobs(count: 100)
        var a = try makeTrainer(Float.self, optimizer: optimizer)
        var b = try makeTrainer(Float.self, optimizer: optimizer)
        _ = try a.train(on: data)
        _ = try b.train(on: data)
        #expect(a.model.flatParameters == b.model.flatParameters)
        #expect(a.history.batchLosses == b.history.batchLosses)
        var c = try makeTrainer(
            Float.self, TrainingConfiguration(epochs: 3, batchSize: 16, seed: 43, monitorEvery: 2), optimizer: optimizer
        )
        _ = try c.train(on: data)
        #expect(a.model.flatParameters != c.model.flatParameters)
    }

    /// Train 1 epoch, checkpoint, resume for 2 more: the same bits as 3 epochs straight.
    @Test(arguments: OptimizerKind.allCases)
    func resumeIsBitExact(optimizer: OptimizerKind) throws {
        func run<S: TensorScalar>(_: S.Type) throws {
            let data: ExampleSet<S> = Fixtures.blobs(count: 100)
            var straight = try makeTrainer(S.self, optimizer: optimizer)
            _ = try straight.train(on: data)

            let directory = Fixtures.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let path = directory + "/checkpoint.gsckpt"
            var first = try makeTrainer(S.self, optimizer: optimizer)
            var short = first.configuration
            short.epochs = 1
            first = try Trainer(model: first.model, configuration: short)
            _ = try first.train(on: data, checkpointPath: path, metadata: ["note": "first"])

            let checkpoint = try Checkpoint<S>.read(from: path)
            #expect(checkpoint.header.metadata == ["note": "first"])
            #expect(checkpoint.header.epochsCompleted == 1)
            var resumed = try Trainer(
                resuming: checkpoint, model: try Fixtures.model(sizes: [6, 8, 8, 3], activation: .tanh), epochs: 3)
            _ = try resumed.train(on: data)
            #expect(resumed.model.flatParameters == straight.model.flatParameters)
            #expect(resumed.optimizer.state == straight.optimizer.state)
            #expect(resumed.history.batchLosses == straight.history.batchLosses)
            #expect(resumed.history.samples == straight.history.samples)
            #expect(resumed.step == straight.step)
        }
        try run(Float.self)
        try run(Double.self)
    }

    /// A learning rate that blows up: the run stops on the first non-finite loss, reports it,
    /// and keeps the checkpoint of the last finished epoch untouched.
    @Test func nonFiniteLossStopsAndKeepsLastGoodCheckpoint() throws {
        let data: ExampleSet<Float> = Fixtures.blobs(count: 96, spread: 0.6)
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/checkpoint.gsckpt"
        var trainer = try Trainer(
            model: try Fixtures.model(Float.self, sizes: [6, 16, 3], activation: .relu),
            configuration: TrainingConfiguration(
                epochs: 1, batchSize: 16, seed: 1,
                optimizer: OptimizerConfiguration(kind: .sgd, learningRate: 0.01)))
        _ = try trainer.train(on: data, checkpointPath: path)
        let good = try Data(contentsOf: URL(fileURLWithPath: path))

        var exploding = try Trainer(
            resuming: try Checkpoint<Float>.read(from: path),
            model: try Fixtures.model(Float.self, sizes: [6, 16, 3], activation: .relu), epochs: 50)
        // Swap in an absurd learning rate by resuming from a copy of the state with a new configuration.
        var configuration = exploding.configuration
        configuration.optimizer = OptimizerConfiguration(kind: .sgd, learningRate: 1e6)
        exploding = try Trainer(model: exploding.model, configuration: configuration)
        var warnings = [TrainingFinding]()
        let outcome = try exploding.train(on: data, checkpointPath: path) { event in
            if case .warning(let f) = event { warnings.append(f) }
        }
        guard case .nonFiniteLoss(_, _, _, let loss) = outcome.stop else {
            Issue.record("expected a non-finite stop, got \(outcome.stop)"); return
        }
        #expect(!loss.isFinite)
        #expect(outcome.findings.first?.code == .nonFiniteLoss)
        #expect(warnings.contains { $0.code == .nonFiniteLoss })
        #expect(outcome.checkpointPath == path)
        if exploding.epochsCompleted == 0 {
            // Stopped within the first epoch: the previous run's checkpoint is byte-for-byte intact.
            let now = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(now == good)
        }
        // Whatever epoch it stopped in, the checkpoint on disk has only finite parameters.
        let kept = try Checkpoint<Float>.read(from: path)
        #expect(kept.parameters.allSatisfy { $0.isFinite })
    }
}

struct CheckpointTests {
    func sample() throws -> (Checkpoint<Float>, String, String) {
        var trainer = try Trainer(
            model: try Fixtures.model(Float.self, sizes: [6, 5, 3]),
            configuration: TrainingConfiguration(
                epochs: 1, batchSize: 32, optimizer: OptimizerConfiguration(kind: .adam)))
        _ = try trainer.train(on: Fixtures.blobs(count: 64))
        let directory = Fixtures.temporaryDirectory()
        let path = directory + "/c.gsckpt"
        let checkpoint = trainer.checkpoint(metadata: ["data": "blobs"])
        try checkpoint.write(to: path)
        return (checkpoint, path, directory)
    }

    @Test func roundTripsLosslessly() throws {
        let (checkpoint, path, directory) = try sample()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var read = try Checkpoint<Float>.read(from: path)
        #expect(read.path == path)
        read.path = nil
        #expect(read.parameters == checkpoint.parameters)
        #expect(read.optimizerState == checkpoint.optimizerState)
        #expect(read.header.history == checkpoint.header.history)
        #expect(try CheckpointFile.readHeader(path).dtype == "float32")
    }

    @Test func damageIsReportedInOneLine() throws {
        let (_, path, directory) = try sample()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        func expectFailure(_ mutate: (inout [UInt8]) -> Void, mentions: String) throws {
            var copy = bytes
            mutate(&copy)
            try Data(copy).write(to: URL(fileURLWithPath: path))
            do {
                _ = try Checkpoint<Float>.read(from: path)
                Issue.record("a damaged checkpoint was accepted (\(mentions))")
            } catch {
                #expect(error.description.contains(mentions), "\(error.description)")
                #expect(!error.description.contains("\n"))
            }
        }
        try expectFailure({ $0[0] = 0x41 }, mentions: "magic")
        try expectFailure({ $0[$0.count - 1] ^= 0xFF }, mentions: "checksum")
        try expectFailure({ $0.removeLast(8) }, mentions: "payload")
        try expectFailure(
            {
                $0[8] = 0xFF; $0[9] = 0xFF; $0[10] = 0xFF
            }, mentions: "header length")
        try expectFailure({ $0 = Array($0.prefix(10)) }, mentions: "preamble")
        bytes = []
        do { _ = try Checkpoint<Double>.read(from: path + ".missing") } catch {
            #expect(error.description.contains("cannot read"))
        }
    }

    @Test func wrongPrecisionIsRefused() throws {
        let (_, path, directory) = try sample()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(throws: TrainingError.self) { try Checkpoint<Double>.read(from: path) }
    }
}
