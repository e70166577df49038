import Datasets
import Foundation
import GradCheck
import NeuralNet
import Testing
import Training

@testable import gradscope

/// The library words errors and fixes in its own terms; the command line names the flags.
struct SettingFlagsTests {
    @Test func errorsNameTheirFlag() {
        let cases: [(any Error, String)] = [
            (ModelError.invalidSetting(.hidden, "must be positive, got [0]"), "--hidden must be positive, got [0]"),
            (
                ModelError.invalidSetting(.l2Penalty, "must be a finite number ≥ 0, got -1.0"),
                "--lambda must be a finite number ≥ 0, got -1.0"
            ),
            (
                ModelError.conflictingSettings([.preset, .layers, .hidden]),
                "give only one of --model, --layers and --hidden"
            ),
            (
                TrainingError.invalidSetting(.learningRate, "must be a finite number > 0, got 0.0"),
                "--lr must be a finite number > 0, got 0.0"
            ),
            (
                TrainingError.invalidSetting(.batchSize, "must be at least 1, got 0"),
                "--batch must be at least 1, got 0"
            ),
            (TrainingError.invalidSetting(.adamEpsilon, "must be > 0, got 0.0"), "Adam's ε must be > 0, got 0.0"),
            (
                DatasetError.unknownSource(argument: "cifar"),
                "--data 'cifar': unknown data source; expected digits, fashion-mnist, mnist:DIR or idx:DIR"
            ),
            (
                MergeError.missing(indices: [1], count: 3),
                "shard 1 of 3 is missing; rerun it, or pass --partial to merge what is there"
            ),
            (
                MergeError.noiseDiffers(file: "b.json", noise: 2, reference: "a.json", referenceNoise: 1),
                "b.json does not belong with the other shards: it measured noise σ = 2.0, a.json σ = 1.0: the objective is noisy; run `gradscope plan` and give every shard the same --plan file"
            )
        ]
        for (error, expected) in cases {
            #expect(SettingFlags.message(error) == expected)
            #expect(!"\(error)".contains("--"), "the library's own message names no flag: \(error)")
        }
    }

    @Test func fixesGetTheirFlagsAfterTheWordsThatNameThem() {
        let fix: TrainingFix =
            "use Xavier\(.initialization(.xavierUniform)) or He\(.initialization(.he)) initialisation"
        #expect(SettingFlags.render(fix) == "use Xavier (--init xavier) or He (--init he) initialisation")
        let optimizers: TrainingFix = "use momentum or Adam\(.optimizer([.momentum, .adam]))"
        #expect(SettingFlags.render(optimizers) == "use momentum or Adam (--optimizer momentum|adam)")
        let penalty: TrainingFix = "add weight decay\(.weightDecay) or L2\(.l2Penalty)"
        #expect(SettingFlags.render(penalty) == "add weight decay (--weight-decay) or L2 (--lambda)")
        let activation: TrainingFix = "use leaky ReLU\(.activation(.leakyReLU))"
        #expect(SettingFlags.render(activation) == "use leaky ReLU (--activation leaky-relu)")
    }

    @Test func reportsPointToTheJSONFlag() {
        #expect(TextReport.commandLine().fullListing == "--format json lists every entry")
        #expect(TextReport().fullListing == "the JSON report lists every entry")
    }
}

/// `gradscope diagnose` exit statuses on recorded streams.
struct DiagnoseCommandTests {
    func write(_ lines: [String]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("watch-\(UUID().uuidString).jsonl")
            .path
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    let hello =
        #"{"type": "hello", "protocol": "gradscope-watch/1", "layers": [{"name": "l1", "activation": "sigmoid", "weights": 4}]}"#
    let sample =
        #"{"type": "sample", "step": 0, "epoch": 1, "loss": 1, "layers": [{"meanAbsoluteUpdate": 1e-3, "updateNorm": 1e-3, "weightNorm": 1, "gradientNorm": 0.1, "updateRatio": 1e-3, "saturation": 0.1}]}"#

    @Test func exitStatuses() throws {
        let completed = try write([hello, sample, #"{"type": "end", "status": "completed"}"#])
        #expect(exitStatus(["diagnose", completed]) == 0)
        #expect(exitStatus(["diagnose", completed, "--format", "json"]) == 0)
        let nan = try write([hello, sample, #"{"type": "end", "status": "non-finite-loss", "step": 3}"#])
        #expect(exitStatus(["diagnose", nan]) == 3)
        let cut = try write([hello, sample])
        #expect(exitStatus(["diagnose", cut]) == 3)
        let bad = try write([hello, "{"])
        #expect(exitStatus(["diagnose", bad]) == 65)
        #expect(exitStatus(["diagnose", "/nonexistent/watch.jsonl"]) == 66)
        #expect(exitStatus(["diagnose"]) == 64)
        for p in [completed, nan, cut, bad] { try? FileManager.default.removeItem(atPath: p) }
    }

    /// `diagnose DIR/watch.jsonl --out DIR --force` replaces an earlier run's files in DIR but
    /// never the stream it reads, whatever path names it.
    @Test func forceNeverRemovesTheStreamItReads() throws {
        let folder = temporaryFolder("diagnose")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let text = [hello, sample, #"{"type": "end", "status": "completed"}"#].joined(separator: "\n") + "\n"
        try text.write(toFile: folder + "/watch.jsonl", atomically: true, encoding: .utf8)
        try "stale".write(toFile: folder + "/metrics.csv", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: folder + "/link.jsonl", withDestinationPath: "watch.jsonl")
        for input in [folder + "/watch.jsonl", folder + "/./watch.jsonl", folder + "/link.jsonl"] {
            #expect(exitStatus(["diagnose", input, "--out", folder, "--force"]) == 0, "\(input)")
            #expect(
                (try? String(contentsOfFile: folder + "/watch.jsonl", encoding: .utf8)) == text,
                "\(input): the stream read is kept")
        }
        let csv = try String(contentsOfFile: folder + "/metrics.csv", encoding: .utf8)
        #expect(csv.hasPrefix("run,"), "the earlier metrics.csv was replaced: \(csv.prefix(40))")
    }

    /// The refusal of a non-empty --out offers --resume only to the command that has it.
    @Test func refusalOffersOnlyTheCommandsOwnFlags() throws {
        let folder = temporaryFolder("refusal")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "x".write(toFile: folder + "/metrics.csv", atomically: true, encoding: .utf8)
        for (command, resume) in [("train", true), ("diagnose", false), ("watch", false), ("compare", false)] {
            do {
                _ = try RunFolder.claim(folder, command: command, .fresh)
                Issue.record("\(command): a folder holding files was not refused")
            } catch let failure as CLIError {
                #expect(failure.exitCode == 73)
                #expect(failure.description.contains("--force"), "\(failure)")
                #expect(failure.description.contains("--resume") == resume, "\(command): \(failure)")
            }
        }
    }

    /// A stream read from a pipe or FIFO (`diagnose /dev/stdin`, `<(…)`, `mkfifo`) is read in
    /// order to its end, as a file is.
    @Test func aFIFOIsReadToItsEnd() throws {
        let folder = temporaryFolder("fifo")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let fifo = folder + "/stream"
        #expect(mkfifo(fifo, 0o600) == 0)
        let lines = [hello] + Array(repeating: sample, count: 2000) + [#"{"type": "end", "status": "completed"}"#]
        let text = lines.joined(separator: "\n") + "\n"
        let writer = Thread {
            guard let handle = FileHandle(forWritingAtPath: fifo) else { return }
            for piece in stride(from: 0, to: text.utf8.count, by: 10_000) {
                handle.write(Data(Array(text.utf8)[piece..<min(piece + 10_000, text.utf8.count)]))
            }
            try? handle.close()
        }
        writer.start()
        #expect(exitStatus(["diagnose", fifo]) == 0, "the whole stream, hello to end, was read from the FIFO")
    }
}
