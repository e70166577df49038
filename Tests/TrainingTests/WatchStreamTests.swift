import Datasets
import Foundation
import NeuralNet
import Testing

@testable import Training

/// The gradscope-watch/1 stream decodes into the history the diagnosis reads, and a malformed
/// one is refused naming its line.
struct WatchStreamTests {
    static let hello =
        #"{"type": "hello", "protocol": "gradscope-watch/1", "layers": [{"name": "l1", "activation": "relu", "weights": 6}, {"name": "out", "activation": "identity", "weights": 3}], "settings": {"initialization": "he", "optimizer": "sgd", "learningRate": 0.1, "inputScaling": "unit"}}"#

    static func sample(step: Int, dead: Double) -> String {
        #"{"type": "sample", "step": \#(step), "epoch": 1, "loss": 0.5, "layers": [{"meanAbsoluteUpdate": 1e-3, "updateNorm": 1e-3, "weightNorm": 1, "gradientNorm": 0.1, "updateRatio": 1e-3, "activationMean": 0.1, "activationStd": 0.2, "saturation": null, "deadFraction": \#(dead)}, {"meanAbsoluteUpdate": 1e-3, "updateNorm": 1e-3, "weightNorm": 1, "gradientNorm": 0.1, "updateRatio": 1e-3, "activationMean": 0, "activationStd": 1, "saturation": null, "deadFraction": null}]}"#
    }

    @Test func decodesIntoTheHistoryTheDiagnosisReads() throws {
        let lines =
            [Self.hello] + (0..<4).map { Self.sample(step: 10 * $0, dead: 0.9) } + [
                #"{"type": "loss", "step": 0, "value": 0.5}"#, #"{"type": "loss", "step": 1, "value": null}"#,
                #"{"type": "epoch", "epoch": 1, "trainLoss": 0.4, "testAccuracy": 0.9, "steps": 40}"#,
                #"{"type": "end", "status": "completed"}"#
            ]
        let stream = try WatchStream.decode(lines.joined(separator: "\n") + "\n", file: "s.jsonl")
        #expect(stream.history.layers.map(\.name) == ["l1", "out"])
        #expect(stream.history.layers.map(\.activation) == ["relu", "identity"])
        #expect(stream.history.samples.count == 4 && stream.history.samples[3].step == 30)
        #expect(stream.history.batchLosses.count == 2 && stream.history.batchLosses[1].isNaN)
        #expect(stream.history.epochs.first?.testAccuracy == 0.9)
        #expect(stream.ended && stream.stop == .completed && stream.weights == 9)
        #expect(stream.run.initializer == .he && stream.run.inputScaling == .unitInterval)
        #expect(stream.run.optimizer?.kind == .sgd && stream.run.optimizer?.learningRate == 0.1)
        let findings = Diagnosis.diagnose(stream.history, stop: stream.stop, run: stream.run)
        let dead = try #require(findings.first { $0.code == .deadReLU })
        #expect(!dead.fixes.flatMap(\.settings).contains(.initialization(.he)), "the program said it uses He")
    }

    @Test func nonFiniteEndAndCutShortStreams() throws {
        let nan = try WatchStream.decode(
            [
                Self.hello, Self.sample(step: 0, dead: 0),
                #"{"type": "end", "status": "non-finite-loss", "epoch": 2, "step": 17}"#
            ]
            .joined(separator: "\n"), file: "n")
        guard case .nonFiniteLoss(let epoch, _, let step, _) = nan.stop else { Issue.record("\(nan.stop)"); return }
        #expect(epoch == 2 && step == 17)
        let cut = try WatchStream.decode([Self.hello, Self.sample(step: 0, dead: 0)].joined(separator: "\n"), file: "c")
        #expect(!cut.ended)
    }

    @Test(arguments: [
        ("", 1, "no `hello`"),
        (#"{"type": "sample", "step": 0, "layers": []}"#, 1, "before the `hello`"),
        (
            #"{"type": "hello", "protocol": "gradscope-watch/2", "layers": [{"name": "a", "weights": 1}]}"#, 1,
            "protocol"
        ),
        (hello + "\n{not json", 2, "not a JSON object"),
        (hello + "\n" + #"{"type": "sample", "step": 0, "layers": [{"meanAbsoluteUpdate": 1}]}"#, 2, "with 1 layers"),
        (hello + "\n" + #"{"type": "end", "status": "done"}"#, 2, "`status`"),
        (
            hello + "\n" + #"{"type": "end", "status": "completed"}"# + "\n" + #"{"type": "loss", "value": 1}"#, 3,
            "after `end`"
        ),
        (
            #"{"type": "hello", "protocol": "gradscope-watch/1", "layers": [{"name": "a", "activation": "swish", "weights": 1}]}"#,
            1, "unknown activation"
        ),
        (
            #"{"type": "hello", "protocol": "gradscope-watch/1", "layers": [{"name": "a", "weights": 1}, {"name": "a", "weights": 1}]}"#,
            1, "the name 'a' is used twice"
        ),
        (
            #"{"type": "hello", "protocol": "gradscope-watch/1", "layers": [{"name": "a", "weights": 4611686018427387904}, {"name": "b", "weights": 4611686018427387904}]}"#,
            1, "more than any layer has"
        ),
        (
            hello + "\n" + sample(step: 0, dead: 0.5).replacingOccurrences(of: #""updateNorm": 1e-3, "#, with: ""), 2,
            "updateNorm missing"
        )
    ])
    func malformedStreamsNameTheLine(_ text: String, _ line: Int, _ reason: String) {
        do {
            _ = try WatchStream.decode(text, file: "bad.jsonl")
            Issue.record("decoded: \(text)")
        } catch {
            #expect(error.description.hasPrefix("bad.jsonl, line \(line): "), "\(error)")
            #expect(error.description.contains(reason), "\(error)")
        }
    }

    /// Weights that went to NaN or ∞ give null figures (non-finite → null): the sample is
    /// read with NaN, the medians skip it, and the run is diagnosed `non-finite-loss` with the
    /// losses before the first NaN, saying that the program went on.
    @Test func aDivergedRunIsDiagnosedNotRefused() throws {
        let finite = (0..<3).map { Self.sample(step: $0, dead: 0) }
        let diverged = (3..<6).map {
            Self.sample(step: $0, dead: 0).replacingOccurrences(of: "1e-3", with: "null")
                .replacingOccurrences(of: #""weightNorm": 1"#, with: #""weightNorm": null"#)
        }
        let losses = [1.5, 1.4, 1.3, 1.2, 1.1, 1.0].map { #"{"type": "loss", "value": \#($0)}"# }
        let after = [#"{"type": "loss", "value": null}"#, #"{"type": "loss", "value": null}"#]
        let text =
            ([Self.hello] + finite + losses + after + diverged + [
                #"{"type": "end", "status": "non-finite-loss", "epoch": 1, "step": 6}"#
            ]).joined(separator: "\n")
        let stream = try WatchStream.decode(text, file: "d")
        #expect(stream.history.samples.count == 6)
        #expect(
            stream.history.samples[4].layers[0].updateNorm.isNaN && stream.history.samples[4].layers[0].weightNorm.isNaN
        )
        #expect(
            Diagnosis.median(stream.history.samples.map { $0.layers[0].updateNorm }) == 1e-3, "NaN readings skipped")
        let findings = Diagnosis.diagnose(stream.history, stop: stream.stop, run: stream.run)
        let nan = try #require(findings.first { $0.code == .nonFiniteLoss })
        #expect(nan.summary.contains("the run went on"), "\(nan.summary)")
        #expect(nan.evidence.contains("the batch losses before it: 1.4, 1.3, 1.2, 1.1, 1"), "\(nan.evidence)")
    }

    /// A setting whose value GradScope does not know is noted and taken as not reported, never
    /// a reason to refuse a run the program already trained; common other names are understood.
    @Test func unknownSettingValuesAreNotedAndAliasesUnderstood() throws {
        let hello =
            #"{"type": "hello", "protocol": "gradscope-watch/1", "layers": [{"name": "a", "weights": 1}], "settings": {"optimizer": "AdamW", "initialization": "kaiming_normal", "activation": "gelu", "learningRate": null, "l2": true, "inputScaling": "magic"}}"#
        let stream = try WatchStream.decode(hello, file: "s")
        #expect(stream.run.optimizer?.kind == .adam, "AdamW is Adam with decoupled weight decay")
        #expect(stream.run.initializer == .he, "Kaiming is He")
        #expect(stream.run.activation == nil && stream.run.inputScaling == nil && stream.run.l2Penalty == nil)
        #expect(stream.notes.count == 4, "\(stream.notes)")
        #expect(stream.notes.contains { $0.contains("settings.activation 'gelu'") && $0.contains("not reported") })
        #expect(stream.notes.contains { $0.contains("settings.learningRate is null") })
        #expect(stream.notes.contains { $0.contains("settings.l2 is true") })
        #expect(
            stream.notes.contains { $0.contains("settings.inputScaling 'magic'") && $0.contains("raw, unit, standard") }
        )
        let alone = try WatchStream.decode(
            #"{"type": "hello", "protocol": "gradscope-watch/1", "layers": [{"name": "a", "weights": 1}], "settings": {"learningRate": 0.1}}"#,
            file: "s")
        #expect(alone.run.optimizer == nil && alone.notes.count == 1, "a learning rate alone is noted: \(alone.notes)")
    }

    /// A program that records losses only in its samples: the evidence reads them.
    @Test func samplesLossesServeWhenNoBatchLossWasRecorded() throws {
        var history = TrainingHistory(layers: [])
        history.samples = [2, 1.5, .nan, .nan].enumerated().map {
            MonitorSample(step: 10 * $0.offset, epoch: 1, loss: $0.element, layers: [])
        }
        let nan = try #require(
            Diagnosis.diagnose(history, stop: .nonFiniteLoss(epoch: 1, batch: 0, step: 20, loss: .nan)).first)
        #expect(nan.summary.contains("the run went on"), "\(nan.summary)")
        #expect(nan.evidence.last == "the batch losses before it: 2, 1.5")
    }

    /// The evidence of a built-in run, whose trainer stops at the non-finite loss, quotes the
    /// losses before it and says that training stopped.
    @Test func aStoppedRunSaysSo() throws {
        var history = TrainingHistory(layers: [])
        history.batchLosses = [2, 1.9, 1.8, .nan]
        let findings = Diagnosis.diagnose(
            history, stop: .nonFiniteLoss(epoch: 1, batch: 4, step: 3, loss: .nan))
        let nan = try #require(findings.first)
        #expect(nan.summary.hasSuffix("training stopped"), "\(nan.summary)")
        #expect(nan.evidence.last == "the batch losses before it: 2, 1.9, 1.8")
    }
}

/// A stream of any length is read in bounded memory: past its limits the reader halves the
/// kept history, never drops a non-finite loss, and the diagnosis still reads it.
struct WatchStreamLimitTests {
    @Test func longStreamsAreThinnedWithinTheLimits() throws {
        let limits = WatchStream.Reader.Limits(readings: 100, batchLosses: 50, epochs: 10)
        var reader = WatchStream.Reader(file: "long.jsonl", limits: limits)
        try reader.read(Substring(WatchStreamTests.hello))
        for step in 0..<1000 {
            try reader.read(Substring(WatchStreamTests.sample(step: step, dead: 0.9)))
            let value = step == 333 ? "null" : "0.5"
            try reader.read(Substring(#"{"type": "loss", "step": \#(step), "value": \#(value)}"#))
            if step % 10 == 0 {
                try reader.read(Substring(#"{"type": "epoch", "epoch": \#(step / 10 + 1), "trainLoss": 0.4}"#))
            }
        }
        let stream = try reader.finished()
        let h = stream.history
        #expect(h.samples.count * h.layers.count <= limits.readings)
        #expect(h.samples.count >= limits.readings / h.layers.count / 2, "halved, not emptied")
        #expect(h.samples.last?.step == 999, "the latest reading is kept")
        #expect(h.batchLosses.count <= limits.batchLosses + 1 && h.batchLosses.contains { $0.isNaN })
        #expect(h.epochs.count <= limits.epochs)
        #expect(reader.thinnings > 0)
        let findings = Diagnosis.diagnose(h, stop: .completed, run: stream.run)
        #expect(findings.contains { $0.code == .deadReLU })
    }
}
