import Foundation
import Testing
@testable import Training

/// Crafted checkpoints: every header field is validated before anything is allocated, and a
/// bad field is a one-line error naming it, whether or not the file's checksum was re-signed.
struct CheckpointValidationTests {
    /// A small real checkpoint (Adam, so there are optimizer slots) and its parts.
    func sample() throws -> (bytes: [UInt8], directory: String) {
        var trainer = try Trainer(
            model: try Fixtures.model(Float.self, sizes: [6, 5, 3]),
            configuration: TrainingConfiguration(
                epochs: 1, batchSize: 32, monitorEvery: 1,
                optimizer: OptimizerConfiguration(kind: .adam)))
        _ = try trainer.train(on: Fixtures.blobs(count: 64))
        let directory = Fixtures.temporaryDirectory()
        try trainer.checkpoint().write(to: directory + "/c.gsckpt")
        return ([UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/c.gsckpt"))), directory)
    }

    /// The file with its JSON header edited by `edit` and, like a careful forger, a fresh checksum.
    func forged(_ bytes: [UInt8], _ edit: (inout [String: Any]) -> Void) throws -> [UInt8] {
        let length = Int(
            bytes[8..<16].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        var header = try JSONSerialization.jsonObject(with: Data(bytes[16..<(16 + length)])) as! [String: Any]
        edit(&header)
        let json = [UInt8](try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]))
        var file = Array("GSCKPT02".utf8)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
        file += json + bytes[(16 + length)..<(bytes.count - 8)]
        withUnsafeBytes(of: CheckpointFile.fnv1a(file[...]).littleEndian) { file.append(contentsOf: $0) }
        return file
    }

    func expectRefused(_ bytes: [UInt8], naming field: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try Checkpoint<Float>.decode(bytes, path: "crafted.gsckpt")
            Issue.record("a crafted checkpoint was accepted (\(field))", sourceLocation: sourceLocation)
        } catch {
            #expect(error.description.contains(field), "\(error.description)", sourceLocation: sourceLocation)
            #expect(!error.description.contains("\n"), sourceLocation: sourceLocation)
        }
    }

    @Test func validFileReadsBack() throws {
        let (bytes, directory) = try sample()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(try Checkpoint<Float>.decode(bytes, path: "c").header.epochsCompleted == 1)
        // Re-signing an unchanged header gives a file that still reads.
        #expect(try Checkpoint<Float>.decode(try forged(bytes) { _ in }, path: "c").parameters.count == 4)
    }

    /// The crafted headers from the issue: each once traps or allocated gigabytes.
    @Test func everyFieldIsValidated() throws {
        let (bytes, directory) = try sample()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        expectRefused(try forged(bytes) { $0["epochsCompleted"] = -5 }, naming: "epochsCompleted")
        expectRefused(try forged(bytes) { $0["step"] = -1 }, naming: "step")
        expectRefused(try forged(bytes) { $0["optimizerStep"] = -3 }, naming: "optimizerStep")
        expectRefused(try forged(bytes) { $0["payloadElements"] = 1 << 62 }, naming: "payloadElements")
        expectRefused(
            try forged(bytes) { h in
                var tensors = h["tensors"] as! [[String: Any]]
                tensors[0]["shape"] = [1 << 40, 1 << 40]
                h["tensors"] = tensors
            }, naming: "tensors[0]")
        expectRefused(
            try forged(bytes) { h in
                var tensors = h["tensors"] as! [[String: Any]]
                tensors[1]["offset"] = Int.max
                h["tensors"] = tensors
            }, naming: "tensors[1]")
        expectRefused(
            try forged(bytes) { h in
                var tensors = h["tensors"] as! [[String: Any]]
                tensors[1]["shape"] = [-1, 5]
                h["tensors"] = tensors
            }, naming: "tensors[1]")
        expectRefused(
            try forged(bytes) { h in
                var blocks = h["blocks"] as! [[String: Any]]
                blocks[0]["shape"] = [Int.max, 2]
                h["blocks"] = blocks
            }, naming: "blocks[0]")
        // A history whose readings have another layer count than its layers.
        expectRefused(
            try forged(bytes) { h in
                var history = h["history"] as! [String: Any]
                var layers = history["layers"] as! [[String: Any]]
                layers.removeLast()
                history["layers"] = layers
                h["history"] = history
            }, naming: "history.samples[0]")
        expectRefused(
            try forged(bytes) { h in
                var history = h["history"] as! [String: Any]
                history["epochs"] = []
                h["history"] = history
            }, naming: "history.epochs")
        expectRefused(
            try forged(bytes) { h in
                var configuration = h["configuration"] as! [String: Any]
                configuration["batchSize"] = 0
                h["configuration"] = configuration
            }, naming: "configuration")
        expectRefused(try forged(bytes) { $0["dtype"] = "float16" }, naming: "dtype")
        expectRefused(try forged(bytes) { $0["version"] = 7 }, naming: "version")
        expectRefused(
            try forged(bytes) {
                $0["epochProgress"] = ["batches": 5, "lossSum": 0, "correct": 9, "seen": 3, "seconds": 0]
            },
            naming: "epochProgress")
    }

    /// Without a fresh checksum, any edit of the header is caught by the checksum itself.
    @Test func theChecksumCoversTheHeader() throws {
        let (bytes, directory) = try sample()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var edited = try forged(bytes) { $0["step"] = 1 }
        edited[edited.count - 1] ^= 0x55
        expectRefused(edited, naming: "checksum")
    }

    /// Version-1 files (magic GSCKPT01, no trailing checksum) are still read.
    @Test func versionOneFilesAreStillRead() throws {
        let (bytes, directory) = try sample()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let v2 = try forged(bytes) { $0["version"] = 1 }
        var v1 = Array("GSCKPT01".utf8) + v2[8..<(v2.count - 8)]
        let read = try Checkpoint<Float>.decode(v1, path: "old.gsckpt")
        #expect(read.header.version == 1 && read.parameters.count == 4)
        v1[v1.count - 1] ^= 0xFF
        expectRefused(v1, naming: "payloadChecksum")
    }

    /// A write interrupted before its rename leaves the old file and a temporary file that the
    /// next run removes.
    @Test func staleTemporaryFilesAreRemoved() throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try AtomicFile.write(Array("old".utf8), to: directory + "/checkpoint.gsckpt")
        let stale = directory + "/.checkpoint.gsckpt.tmp-99999"
        try Data(count: 1000).write(to: URL(fileURLWithPath: stale))
        #expect(AtomicFile.removeStaleTemporaries(in: directory) == [".checkpoint.gsckpt.tmp-99999"])
        #expect(!FileManager.default.fileExists(atPath: stale))
        #expect(try String(contentsOfFile: directory + "/checkpoint.gsckpt", encoding: .utf8) == "old")
    }
}

/// Stopping mid-epoch (Ctrl-C) checkpoints that moment; resuming gives the uninterrupted run's
/// weights, optimizer state and batch losses bit for bit.
struct InterruptedRunTests {
    @Test(arguments: [1, 5, 6, 13])
    func resumingMidEpochIsBitForBit(stopAfter: Int) throws {
        let data: ExampleSet<Float> = Fixtures.blobs(count: 96)
        let configuration = TrainingConfiguration(
            epochs: 3, batchSize: 16, seed: 4, monitorEvery: 4,
            optimizer: OptimizerConfiguration(kind: .momentum, learningRate: 0.05))
        let model = try Fixtures.model(Float.self, sizes: [6, 8, 3])
        var straight = try Trainer(model: model, configuration: configuration)
        _ = try straight.train(on: data)

        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/checkpoint.gsckpt"
        var first = try Trainer(model: model, configuration: configuration)
        var batches = 0
        let outcome = try first.train(
            on: data, checkpointPath: path,
            observe: { event in
                if case .batch = event { batches += 1 }
            }, shouldStop: { batches >= stopAfter })
        guard case .interrupted(_, _, let step) = outcome.stop else {
            Issue.record("expected an interrupted stop, got \(outcome.stop)"); return
        }
        #expect(step == stopAfter && outcome.checkpointPath == path)
        var resumed = try Trainer(resuming: try Checkpoint<Float>.read(from: path), model: model)
        _ = try resumed.train(on: data, checkpointPath: path)
        #expect(resumed.model.parameters == straight.model.parameters)
        #expect(resumed.optimizer.state == straight.optimizer.state)
        #expect(resumed.history.batchLosses == straight.history.batchLosses)
        #expect(resumed.history.epochs.map(\.trainLoss) == straight.history.epochs.map(\.trainLoss))
    }
}
