import ArgumentParser
import Foundation
import Training

/// `gradscope diagnose`: the training diagnosis of a recorded `gradscope-watch/1` stream.
struct Diagnose: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Diagnose the gradient flow of your own training loop from a recorded stream.",
        discussion: """
            Reads a gradscope-watch/1 stream (JSON lines; docs/watch.md), as the
            Python package's gradscope.Watcher writes it from a numpy or JAX loop,
            and applies the same calibrated rules as `gradscope train`: vanishing
            and exploding gradients, saturation, dead ReLUs, a learning rate far
            off, each with its evidence and the fixes that fit what the program
            reported (a setting it did not report is advice to check, not assumed).

            Exit status: 0 the recorded run completed, 3 its loss went non-finite
            or the stream ends without `end` (the program stopped early),
            64 usage error, 65 a malformed stream (naming the line), 66 the file
            cannot be read.

            Examples:
              gradscope diagnose gradscope-watch.jsonl
              gradscope diagnose run.jsonl --format json
            """)

    @Argument(help: ArgumentHelp("The recorded stream.", valueName: "stream.jsonl"))
    var file: String

    @Option(help: "Output format: text or json (the same schema as `train --format json`).")
    var format: OutputFormat = .text

    func run() throws {
        let text: String
        do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
            FileHandle.standardError.write(Data("gradscope diagnose: cannot read \(file): \(describe(error))\n".utf8))
            throw ExitCode(ExitStatus.noInput)
        }
        let stream: WatchStream
        do { stream = try WatchStream.decode(text, file: file) } catch {
            FileHandle.standardError.write(Data("gradscope diagnose: \(error.description)\n".utf8))
            throw ExitCode(ExitStatus.dataError)
        }
        let findings = Diagnosis.diagnose(stream.history, stop: stream.stop, run: stream.run)
        switch format {
        case .text: print(Self.text(stream, findings: findings))
        case .json: print(Self.json(stream, findings: findings))
        }
        if !stream.ended || stream.stop != .completed { throw ExitCode(ExitStatus.evaluation) }
    }

    static func architecture(_ stream: WatchStream) -> String {
        stream.history.layers.map { "\($0.name) (\($0.activation))" }.joined(separator: " → ")
    }

    static func stopText(_ stream: WatchStream) -> String {
        stream.ended ? stream.stop.description : "cut short: the stream ends without `end` (the program stopped early)"
    }

    static func text(_ stream: WatchStream, findings: [TrainingFinding]) -> String {
        let h = stream.history
        var lines = [
            "gradscope diagnose: \(architecture(stream)), \(stream.weights) weights",
            "recorded: \(h.samples.count) readings, \(h.epochs.count) epochs, \(h.batchLosses.count) batch losses; \(stopText(stream))"
        ]
        if let e = h.epochs.last {
            var line = "after \(e.epoch) epochs:"
            if let a = e.testAccuracy { line += String(format: " test accuracy %.2f%%,", 100 * a) }
            if let l = e.testLoss { line += String(format: " test loss %.4f,", l) }
            lines.append(line + String(format: " train loss %.4f", e.trainLoss))
        }
        lines += FindingsText.lines(findings, flags: false)
        return lines.joined(separator: "\n")
    }

    static func json(_ stream: WatchStream, findings: [TrainingFinding]) -> String {
        let e = stream.history.epochs.last
        let run = TrainSummary.RunSummary(
            label: "watched", stop: stopText(stream), completed: stream.ended && stream.stop == .completed,
            epochs: stream.history.epochs.count, testAccuracy: e?.testAccuracy, testLoss: e?.testLoss,
            trainLoss: e?.trainLoss, seconds: stream.history.epochs.reduce(0) { $0 + $1.seconds },
            parameters: stream.weights, architecture: architecture(stream),
            findings: findings.map { RenderedFinding($0, flags: false) })
        struct Output: Encodable { var run: TrainSummary.RunSummary; var files: [String] }
        let data = (try? CheckpointJSON.encoder.encode(Output(run: run, files: []))) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

/// A run's findings as `train` and `diagnose` print them: code, severity and summary, the
/// evidence, and the fixes with their flags.
enum FindingsText {
    static func lines(_ findings: [TrainingFinding], flags: Bool = true) -> [String] {
        guard !findings.isEmpty else { return ["diagnosis: no problem found"] }
        var lines = ["diagnosis:"]
        for f in findings {
            lines.append("  [\(f.code)] \(f.severity.rawValue): \(f.summary)")
            lines += f.evidence.map { "      " + $0 }
            lines += f.fixes.map { "    try: " + (flags ? SettingFlags.render($0) : $0.description) }
        }
        return lines
    }
}
