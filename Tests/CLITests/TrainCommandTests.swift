import ArgumentParser
import Foundation
import Testing
import Training
@testable import gradscope

/// `gradscope train` and `compare`: exit statuses (0 completed, 3 NaN/Inf stop, 64 usage,
/// 65 bad data or checkpoint file), the files they write, and the gradient-flow figure.
struct TrainCommandTests {
    func temporaryDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("gradscope-train-\(UUID().uuidString)").path
    }

    @Test func completedRunExitsZeroAndWritesItsFiles() throws {
        let out = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        #expect(
            exitStatus(["train", "--hidden", "16", "--epochs", "2", "--quiet", "--format", "json", "--out", out]) == 0)
        for file in ["metrics.csv", "metrics.json", "gradient-flow.svg", "report.html", "checkpoint.gsckpt"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + file), "\(file) missing")
        }
        let csv = try String(contentsOfFile: out + "/metrics.csv", encoding: .utf8)
        #expect(csv.hasPrefix("run,step,epoch,loss,layer,activation,mean_abs_update"))
        // Resume for one more epoch: the checkpoint's history continues.
        #expect(
            exitStatus(["train", "--resume", out, "--epochs", "3", "--quiet", "--format", "json", "--out", out]) == 0)
        let header = try CheckpointFile.readHeader(out + "/checkpoint.gsckpt")
        #expect(header.epochsCompleted == 3 && header.history.epochs.count == 3)
    }

    @Test func nonFiniteLossExitsThreeAndKeepsTheCheckpoint() throws {
        let out = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        #expect(
            exitStatus([
                "train", "--hidden", "32", "--activation", "relu", "--init", "he", "--optimizer", "sgd", "--lr", "1e8",
                "--epochs", "2", "--quiet", "--format", "json", "--out", out
            ]) == 3)
        #expect(FileManager.default.fileExists(atPath: out + "/report.html"))
        #expect(try String(contentsOfFile: out + "/metrics.json", encoding: .utf8).contains("non-finite-loss"))
    }

    @Test func usageAndDataErrors() throws {
        let out = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        #expect(exitStatus(["train", "--lr", "0", "--out", out]) == 64)
        #expect(exitStatus(["train", "--momentum", "1.5", "--out", out]) == 64)
        #expect(exitStatus(["train", "--batch", "0", "--out", out]) == 64)
        #expect(exitStatus(["train", "--data", "nowhere", "--out", out]) == 64)
        #expect(exitStatus(["train", "--layers", "3,5,3", "--out", out, "--quiet"]) == 64)
        #expect(exitStatus(["train", "--data", "mnist:/nonexistent-gradscope", "--out", out]) == 65)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try "not a checkpoint".write(toFile: out + "/checkpoint.gsckpt", atomically: true, encoding: .utf8)
        #expect(exitStatus(["train", "--resume", out, "--out", out]) == 65)
        #expect(exitStatus(["compare", "--activation", "sigmoid", "--out", out]) == 64)
        #expect(exitStatus(["compare", "--activation", "sigmoid,relu", "--init", "xavier,he,he", "--out", out]) == 64)
    }

    @Test func compareOverlaysConfigurations() throws {
        let out = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        #expect(
            exitStatus([
                "compare", "--hidden", "12,12", "--activation", "sigmoid,relu", "--init", "xavier,he", "--epochs", "1",
                "--quiet", "--format", "json", "--out", out
            ]) == 0)
        let svg = try String(contentsOfFile: out + "/gradient-flow.svg", encoding: .utf8)
        #expect(svg.contains("sigmoid xavier: layer1") && svg.contains("relu he: layer3"))
    }
}

/// The gradient-flow figure for a fixed, hand-made history must match
/// `Golden/gradient-flow.svg` byte for byte. `GRADSCOPE_UPDATE_GOLDEN=1 swift test --filter
/// GradientFlowFigureTests` rewrites it (and fails, so an update is never silent); the file was
/// rendered with `.ci/render-check.sh` and checked by eye: three log-scale panels, one curve per
/// layer, the 10⁻³ guide, legends beside the panels, nothing clipped.
struct GradientFlowFigureTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Golden/gradient-flow.svg")

    static func history() -> TrainingHistory {
        let layers = (1...3).map { i in
            MonitoredLayer(
                name: "layer\(i)", layerIndex: 2 * (i - 1), weightBlock: 2 * (i - 1),
                activationLayerIndex: i < 3 ? 2 * i - 1 : 2 * (i - 1), activation: i < 3 ? "sigmoid" : "dense",
                weightCount: 100)
        }
        var history = TrainingHistory(layers: layers)
        var losses = [Double]()
        for t in 0..<200 {
            let decay: Double = 2.3 * Foundation.exp(-Double(t) / 60)
            let wiggle: Double = 0.05 * Foundation.sin(Double(t))
            losses.append(decay + 0.2 + wiggle)
        }
        history.batchLosses = losses
        for step in stride(from: 0, to: 200, by: 10) {
            var layerSamples = [LayerSample]()
            for l in 0..<3 {
                let base: Double = Foundation.pow(10, Double(l - 4))
                let scale: Double = base * (1 + 0.3 * Foundation.sin(Double(step + l)))
                layerSamples.append(
                    LayerSample(
                        meanAbsoluteUpdate: scale, updateNorm: 10 * scale, weightNorm: 10, gradientNorm: 100 * scale,
                        updateRatio: scale, activationMean: 0.5, activationStandardDeviation: 0.1,
                        saturation: l < 2 ? 0.1 : nil, deadFraction: nil))
            }
            history.samples.append(
                MonitorSample(step: step, epoch: 1 + step / 100, loss: losses[step], layers: layerSamples))
        }
        return history
    }

    @Test func matchesTheGoldenFile() throws {
        let svg = GradientFlowFigure.chart(
            [("run", Self.history())], title: "Gradient flow: 64-30-30-10 sigmoid (golden)"
        ).svg()
        if ProcessInfo.processInfo.environment["GRADSCOPE_UPDATE_GOLDEN"] == "1" {
            try svg.write(to: Self.golden, atomically: true, encoding: .utf8)
            Issue.record(
                "wrote Golden/gradient-flow.svg; render it and look, then run again without GRADSCOPE_UPDATE_GOLDEN")
            return
        }
        let golden = try String(contentsOf: Self.golden, encoding: .utf8)
        #expect(svg == golden, "gradient-flow.svg differs from the golden file")
    }

    /// A run of any length draws a figure of bounded size: each curve is binned to at most
    /// `bins` points (geometric means on the log axes), so 100,000 readings stay a few hundred
    /// kilobytes.
    @Test func longRunsDrawABoundedFigure() throws {
        var history = Self.history()
        let template = history.samples[0]
        history.samples = (0..<100_000).map { MonitorSample(step: $0, epoch: 1, loss: 1, layers: template.layers) }
        history.batchLosses = Array(repeating: 1, count: 100_000)
        let svg = GradientFlowFigure.chart([("run", history)], title: "long").svg()
        #expect(svg.utf8.count < 1_000_000, "\(svg.utf8.count) bytes")
        let binned = GradientFlowFigure.logBinned([(0, 1e-2), (1, 1e-4), (2, 0), (3, .nan), (4, 1)], bins: 2)
        #expect(binned.x == [0.5, 4] && binned.y.count == 2)
        #expect(abs(binned.y[0] - 1e-3) < 1e-15 && binned.y[1] == 1, "geometric means of the positive values")
    }
}

/// The help texts document the exit statuses and give runnable examples.
struct TrainHelpTests {
    @Test func trainHelpPinsExitStatusesAndExamples() {
        let help = Train.helpMessage().split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for text in [
            "0 training completed", "3 stopped by a NaN or", "64 bad flags", "65 a bad", "73 an output",
            "gradscope train --data fashion-mnist --hidden 1000,750,500 \\ --activation sigmoid --batch 100",
            "--resume", "--monitor-every", "--format"
        ] {
            #expect(help.contains(text), "train --help lacks '\(text)'")
        }
    }

    @Test func compareHelpExplainsLists() {
        let help = Compare.helpMessage().split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(
            help.contains("Lists of the same")
                && help.contains(
                    "gradscope compare --hidden 30,30,30,30,30 --activation sigmoid,relu \\ --init xavier,he")
        )
    }
}
