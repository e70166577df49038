import Exec
import Foundation
import Training

/// A program's own training run as GradScope read it from its `gradscope-watch/1` stream
/// (`gradscope watch` ran the program; `gradscope diagnose` read a recorded stream).
struct WatchedRun {
    var stream: WatchStream
    var findings: [TrainingFinding]
    /// The program and how it ended, when `gradscope watch` ran it.
    var command: [String]?
    var exit: ProgramExit?
    /// The signal (SIGINT from Ctrl-C, SIGTERM, SIGHUP) that gradscope passed on to stop the
    /// program, if one did.
    var interruption: Int32?
    var interrupted: Bool { interruption != nil }
    var seconds: Double

    init(
        stream: WatchStream, command: [String]? = nil, exit: ProgramExit? = nil, interruption: Int32? = nil,
        seconds: Double? = nil
    ) {
        self.stream = stream
        self.command = command
        self.exit = exit
        self.interruption = interruption
        self.seconds = seconds ?? stream.history.epochs.reduce(0) { $0 + $1.seconds }
        findings = Diagnosis.diagnose(stream.history, stop: stream.stop, run: stream.run)
    }

    var programFailed: Bool { exit.map { $0 != .exited(0) } ?? false }

    /// The program ran to its end, its stream says completed, and nobody stopped it.
    var completed: Bool { stream.ended && stream.stop == .completed && !programFailed && !interrupted }

    /// Why the run stopped, as a sentence.
    var stopText: String {
        var parts = [String]()
        if let interruption {
            let name = ProgramExit.signalName(interruption) ?? "signal \(interruption)"
            let what = interruption == SIGINT ? "Ctrl-C (SIGINT)" : name
            parts.append("interrupted: \(what) was passed on to the program")
        }
        if let exit, programFailed, !interrupted { parts.append("the program \(exit)\(exit.hint)") }
        if !stream.ended {
            parts.append("cut short: the stream ends without `end` (the program stopped early)")
        } else if stream.stop != .completed || parts.isEmpty {
            parts.append(stream.stop.description)
        }
        return parts.joined(separator: "; ")
    }

    var stopLabel: String {
        if interrupted { return "interrupted" }
        if programFailed { return "program failed" }
        if !stream.ended { return "cut short" }
        return stream.stop.tableLabel
    }

    /// `layer1 (sigmoid) → layer2 (sigmoid) → out (identity)`.
    var architecture: String {
        stream.history.layers.map { "\($0.name) (\($0.activation))" }.joined(separator: " → ")
    }

    /// The reported settings, each as the program said it or "not reported".
    var settingRows: [[String]] {
        let r = stream.run
        func said(_ value: String?) -> String { value ?? "not reported" }
        return [
            ["program", command.map { $0.joined(separator: " ") } ?? "not known (a recorded stream)"],
            ["layers", architecture], ["weights", "\(stream.weights)"],
            ["activation", said(r.activation?.rawValue)],
            ["initialisation", said(r.initializer?.rawValue)],
            ["optimizer", said(r.optimizer?.summary)],
            ["L2 λ", said(r.l2Penalty.map { "\($0)" })],
            ["input scaling", said(r.inputScaling?.rawValue)],
            ["readings", "\(stream.history.samples.count)"]
        ]
    }

    /// The run's entry in metrics.json.
    struct RunJSON: Encodable {
        var label: String
        var command: [String]?
        var exit: String?
        var reported: RunDescription
        var architecture: String
        var parameters: Int
        var seconds: Double
        var stop: String
        var completed: Bool
        var findings: [RenderedFinding]
        /// What the reader set aside (a setting value GradScope does not know).
        var notes: [String]
        var history: TrainingHistory
    }

    var reported: ReportedRun {
        ReportedRun(
            label: "watched", history: stream.history, findings: findings, stopLabel: stopLabel,
            stopSentence: completed ? nil : stopText, seconds: seconds, flags: false, settingRows: settingRows,
            json: RunJSON(
                label: "watched", command: command, exit: exit?.description, reported: stream.run,
                architecture: architecture, parameters: stream.weights, seconds: seconds, stop: stopText,
                completed: completed, findings: findings.map { RenderedFinding($0, flags: false) },
                notes: stream.notes, history: stream.history))
    }

    var title: String {
        "Gradient flow: \(command.map(Self.programName) ?? "recorded run") (\(stream.history.layers.count) watched layers)"
    }

    /// The name a person knows the program by: the script an interpreter runs (`train.py` in
    /// `python3 -u train.py`), the module of `-m`, else the program itself.
    static func programName(_ command: [String]) -> String {
        let base = { (path: String) in (path as NSString).lastPathComponent }
        for (k, argument) in command.enumerated().dropFirst() {
            if command[k - 1] == "-m" { return argument }
            if !argument.hasPrefix("-") && !argument.contains("=") && base(argument).contains(".") {
                return base(argument)
            }
        }
        return command.first.map(base) ?? "program"
    }

    static let introduction =
        "GradScope watched the gradient flow of this training program per layer, from the gradscope-watch/1 stream it wrote: the mean absolute weight change of every layer at every recorded step (top), the update ratio ‖ΔW‖/‖W‖, and the loss. Curves of early layers that sit orders of magnitude below the later ones are the signature of vanishing gradients. Where the program did not report a setting, the advice says what to check."

    /// The files of `--out`: metrics.csv, metrics.json, gradient-flow.svg, report.html.
    func writeOutputs(to directory: String) throws -> [String] {
        try TrainingOutputs.write([reported], to: directory, title: title, introduction: Self.introduction)
    }

    /// The final summary, as `diagnose` and `watch` print it.
    func text(command name: String, files: [String]) -> String {
        let h = stream.history
        var lines = [
            "gradscope \(name): \(architecture), \(stream.weights) weights",
            "recorded: \(h.samples.count) readings, \(h.epochs.count) epochs, \(h.batchLosses.count) batch losses; \(stopText)"
        ]
        lines += stream.notes.map { "note: " + $0 }
        if let e = h.epochs.last { lines.append(TrainSummary.finalEpochLine(e, seconds: nil)) }
        lines += FindingsText.lines(findings, flags: false)
        if !files.isEmpty { lines.append("wrote: " + files.joined(separator: ", ")) }
        return lines.joined(separator: "\n")
    }

    /// The same schema as `train --format json`: `run` and `files`.
    func json(files: [String]) -> String {
        let e = stream.history.epochs.last
        let run = TrainSummary.RunSummary(
            label: "watched", stop: stopText, completed: completed,
            epochs: stream.history.epochs.count, testAccuracy: e?.testAccuracy, testLoss: e?.testLoss,
            trainLoss: e?.trainLoss, seconds: seconds,
            parameters: stream.weights, architecture: architecture,
            findings: findings.map { RenderedFinding($0, flags: false) })
        struct Output: Encodable { var run: TrainSummary.RunSummary; var files: [String] }
        let data = (try? CheckpointJSON.encoder.encode(Output(run: run, files: files))) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
