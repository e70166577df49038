import ArgumentParser
import Datasets
import Foundation
import NeuralNet
import TensorCore
import Training

/// `gradscope train`: trains a network for real, watches gradient flow per layer, and says
/// what is wrong and what to try.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a network, watch gradient flow per layer, and diagnose why layers stop learning.",
        discussion: """
            Trains on real data with seeded shuffling and evaluates on the test split
            every epoch. Every --monitor-every batches it records per layer: mean |ΔW|,
            ‖∇W‖, the update ratio ‖ΔW‖/‖W‖, saturated sigmoid/tanh units, dead ReLUs,
            and the activations' mean and standard deviation. Warnings appear as soon
            as a rule fires; the final diagnosis gives each finding's code, its
            evidence and what to try.

            Writes to --out: metrics.csv, metrics.json, gradient-flow.svg (mean |ΔW|
            per layer on a log scale above the cost), report.html and
            checkpoint.gsckpt (weights and optimizer state, replaced at the end of
            every epoch; --resume continues bit for bit).

            Without --model, --layers or --hidden the network has one hidden layer of
            64 units. Defaults: --optimizer momentum --lr 0.05 --momentum 0.9
            --batch 32 --epochs 30.

            --out must be new or empty (--force replaces an earlier run's files
            there); --resume DIR continues the run in DIR and writes into DIR, and
            refuses model, data and optimizer flags that contradict its checkpoint.
            Ctrl-C finishes the current batch, writes metrics, report and a
            checkpoint that --resume continues, and exits 130.

            Exit status: 0 training completed (whatever the diagnosis), 3 stopped by
            a NaN or infinite loss (outputs written, last good checkpoint kept when
            there is one), 64 bad flags (also flags that contradict the checkpoint
            of --resume, or a network that would need more memory than is
            available or --max-memory), 65 a bad data or checkpoint file, 73 an
            output that cannot be written (permission denied, disk full, --out
            holding another run's files, or in use by another run), 130
            interrupted (Ctrl-C; outputs and checkpoint written).

            Examples:
              gradscope train
              gradscope train --hidden 30,30,30,30 --activation sigmoid --epochs 10
              gradscope train --data fashion-mnist --hidden 1000,750,500 \\
                  --activation sigmoid --batch 100 --lr 0.01 --momentum 0.99 \\
                  --init normal --epochs 2
              gradscope train --hidden 100,100 --activation relu --init he --out run1
              gradscope train --resume run1 --epochs 40
              gradscope train --format json
            """)

    @OptionGroup var model: ModelOptions
    @OptionGroup var options: TrainOptions

    @Option(
        name: .customLong("optimizer"),
        help: "Optimizer: sgd, momentum (the default; classical: v ← μv − ηg, w ← w + v), nesterov or adam.")
    var optimizerOption: OptimizerKind?

    @Option(name: .customLong("lr"), help: "Learning rate η (default 0.05).")
    var lrOption: Double?

    @Option(name: .customLong("momentum"), help: "Momentum μ (momentum, nesterov; default 0.9).")
    var momentumOption: Double?

    @Option(
        name: .customLong("weight-decay"), help: "Weight decay on weights (not biases); decoupled for Adam (default 0)."
    )
    var weightDecayOption: Double?

    @Option(
        help:
            "Continue from a checkpoint file, or a --out directory holding checkpoint.gsckpt; writes into that directory unless --out says otherwise."
    )
    var resume: String?

    @Flag(help: "No progress or warnings on stderr.")
    var quiet = false

    var optimizer: OptimizerKind { optimizerOption ?? .momentum }
    var lr: Double { lrOption ?? 0.05 }
    var momentum: Double { momentumOption ?? 0.9 }
    var weightDecay: Double { weightDecayOption ?? 0 }

    func validate() throws {
        do { try optimizerConfiguration.validate() } catch { throw ValidationError(SettingFlags.message(error)) }
    }

    var optimizerConfiguration: OptimizerConfiguration {
        OptimizerConfiguration(kind: optimizer, learningRate: lr, momentum: momentum, weightDecay: weightDecay)
    }

    func run() throws {
        do {
            try runTraining()
        } catch let failure as CLIError {
            FileHandle.standardError.write(Data("gradscope train: \(failure.description)\n".utf8))
            throw ExitCode(failure.exitCode)
        }
    }

    func runTraining() throws {
        var settings: RunSettings
        var resumeHeader: CheckpointHeader?
        var resumePath: String?
        var out = options.out
        var claim: RunFolder.Claim = options.force ? .force : .fresh
        if let resume {
            var isDirectory: ObjCBool = false
            let path =
                FileManager.default.fileExists(atPath: resume, isDirectory: &isDirectory) && isDirectory.boolValue
                ? resume + "/checkpoint.gsckpt" : resume
            let header: CheckpointHeader
            do { header = try CheckpointFile.readHeader(path) } catch { throw CLIError.input(error.description) }
            settings = try RunSettings(metadata: header.metadata, path: path)
            try refuseContradictions(header, settings)
            let folder = (path as NSString).deletingLastPathComponent
            out = options.outOption ?? (folder.isEmpty ? "." : folder)
            if URL(fileURLWithPath: out).standardizedFileURL
                == URL(fileURLWithPath: folder.isEmpty ? "." : folder).standardizedFileURL
            {
                claim = .resume
            }
            resumeHeader = header
            resumePath = path
        } else {
            var spec = model.spec
            if spec.preset == nil && spec.layers == nil && spec.hidden == nil { spec.hidden = [64] }
            settings = RunSettings(
                spec: spec, data: options.data, normalization: options.normalize,
                dtype: model.dtype ?? .float32, label: "run")
        }
        var configuration =
            resumeHeader?.configuration
            ?? TrainingConfiguration(
                epochs: options.epochs ?? 30, batchSize: options.batch, seed: model.seed,
                monitorEvery: options.monitorEvery,
                optimizer: optimizerConfiguration)
        if let epochs = options.epochs { configuration.epochs = epochs }

        let split =
            settings.spec.preset == nil
            ? try TrainingSession.loadData(settings.data, normalization: settings.normalization)
            : nil
        try TrainingSession.refuseOversized(
            settings, configuration: configuration, split: split, memory: options.memory)
        let folder = try RunFolder.claim(out, command: "train", claim)
        let checkpointPath = out + "/checkpoint.gsckpt"
        Interruption.shared.install(
            message:
                "gradscope train: interrupted; finishing the current batch, then writing metrics, report and checkpoint (Ctrl-C again to stop at once)"
        )
        let progress = TrainingProgress(quiet: quiet)
        let result: RunResult
        if settings.dtype == .float64 {
            let checkpoint: Checkpoint<Double>? = try resumePath.map { path in
                do { return try Checkpoint<Double>.read(from: path) } catch { throw CLIError.input("\(error)") }
            }
            result = try TrainingSession.run(
                Double.self, settings: settings, configuration: configuration, split: split,
                resume: checkpoint, checkpointPath: checkpointPath, progress: progress)
        } else {
            let checkpoint: Checkpoint<Float>? = try resumePath.map { path in
                do { return try Checkpoint<Float>.read(from: path) } catch { throw CLIError.input("\(error)") }
            }
            result = try TrainingSession.run(
                Float.self, settings: settings, configuration: configuration, split: split,
                resume: checkpoint, checkpointPath: checkpointPath, progress: progress)
        }
        let files = try TrainingOutputs.write(
            [result], to: out, title: "Gradient flow: \(result.shortArchitecture) on \(settings.data)")
        let written = files + (result.outcome.checkpointPath.map { [$0] } ?? [])
        switch options.format {
        case .text: print(TrainSummary.text(result, files: written))
        case .json: print(TrainSummary.json([result], files: written))
        }
        withExtendedLifetime(folder) {}
        switch result.outcome.stop {
        case .completed: break
        case .nonFiniteLoss: throw ExitCode(nonFiniteExitCode)
        case .interrupted:
            FileHandle.standardError.write(
                Data(
                    "gradscope train: \(result.outcome.stop.description); wrote metrics, report and checkpoint to \(out) (continue with --resume \(out))\n"
                        .utf8))
            throw ExitCode(Interruption.exitCode)
        }
    }

    /// With --resume, model, data and optimizer flags must agree with the checkpoint: each one
    /// that contradicts it is named (exit 64).
    func refuseContradictions(_ header: CheckpointHeader, _ settings: RunSettings) throws {
        var conflicts = [String]()
        func compare<T: Equatable>(_ flag: String, _ given: T?, _ recorded: T, _ show: (T) -> String = { "\($0)" }) {
            if let given, given != recorded {
                conflicts.append("\(flag) \(show(given)) (the checkpoint has \(show(recorded)))")
            }
        }
        let spec = settings.spec, m = model, c = header.configuration
        func sizes(_ s: [Int]?) -> String { s.map { $0.map(String.init).joined(separator: ",") } ?? "none" }
        compare("--model", m.model.map(Optional.some), spec.preset) { $0?.rawValue ?? "none" }
        compare("--layers", m.layers.map(Optional.some), spec.layers, sizes)
        compare("--hidden", m.hidden.map(Optional.some), spec.hidden, sizes)
        compare("--activation", m.activation.map(Optional.some), spec.activation) { $0?.rawValue ?? "the default" }
        compare("--loss", m.loss.map(Optional.some), spec.loss) { $0?.rawValue ?? "the default" }
        compare("--lambda", m.lambda, spec.lambda ?? 0)
        compare("--examples", m.examples.map(Optional.some), spec.examples) { $0.map(String.init) ?? "all" }
        compare("--init", m.initializer.map(Optional.some), spec.initializer) { $0?.rawValue ?? "the default" }
        compare("--dtype", m.dtype?.rawValue, settings.dtype.rawValue)
        compare("--seed", m.seedOption, c.seed)
        compare("--data", options.dataOption, settings.data)
        compare("--normalize", options.normalizeOption?.rawValue, settings.normalization.rawValue)
        compare("--batch", options.batchOption, c.batchSize)
        compare("--monitor-every", options.monitorEveryOption, c.monitorEvery)
        compare("--optimizer", optimizerOption, c.optimizer.kind) { $0.rawValue }
        compare("--lr", lrOption, c.optimizer.learningRate)
        compare("--momentum", momentumOption, c.optimizer.momentum)
        compare("--weight-decay", weightDecayOption, c.optimizer.weightDecay)
        if !conflicts.isEmpty {
            throw ValidationError(
                "--resume continues the run in the checkpoint; these flags contradict it: \(conflicts.joined(separator: "; ")). Drop them, or start a new run with another --out"
            )
        }
    }
}

/// The final summary on stdout.
enum TrainSummary {
    static func text(_ r: RunResult, files: [String]) -> String {
        var lines = [
            "gradscope train: \(r.architecture), \(r.parameterCount) parameters",
            "data: \(r.dataDescription)",
            "optimizer: \(r.configuration.optimizer.summary), batch \(r.configuration.batchSize), \(r.settings.dtype.rawValue)",
            "settings: initialisation \(r.settings.initializer?.rawValue ?? "the preset's own"), λ \(shortLambda(r)), seed \(r.settings.spec.seed), \(r.configuration.epochs) epochs, monitors every \(r.configuration.monitorEvery) batches"
        ]
        if r.outcome.stop != .completed { lines.append(r.outcome.stop.description) }
        if let e = r.finalEpoch { lines.append(finalEpochLine(e, seconds: r.seconds)) }
        lines += FindingsText.lines(r.outcome.findings)
        lines.append("wrote: " + files.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }

    /// "after 3 epochs (9.4 s): test accuracy 93.89%, test loss 0.2100, train loss 0.3016"
    /// (`watch` and `diagnose` know no run time: no seconds).
    static func finalEpochLine(_ e: EpochRecord, seconds: Double?) -> String {
        var line = "after \(e.epoch) epochs" + (seconds.map { " (\(String(format: "%.1f", $0)) s)" } ?? "") + ":"
        if let a = e.testAccuracy { line += String(format: " test accuracy %.2f%%,", 100 * a) }
        if let l = e.testLoss { line += String(format: " test loss %.4f,", l) }
        return line + String(format: " train loss %.4f", e.trainLoss)
    }

    static func shortLambda(_ r: RunResult) -> String { r.l2Penalty == 0 ? "0" : String(r.l2Penalty) }

    struct RunSummary: Encodable {
        var label: String
        var stop: String
        var completed: Bool
        var epochs: Int
        var testAccuracy: Double?
        var testLoss: Double?
        var trainLoss: Double?
        var seconds: Double
        var parameters: Int
        var architecture: String
        var findings: [RenderedFinding]
    }

    static func summary(_ r: RunResult) -> RunSummary {
        RunSummary(
            label: r.settings.label, stop: r.outcome.stop.description, completed: r.outcome.stop == .completed,
            epochs: r.history.epochs.count, testAccuracy: r.finalEpoch?.testAccuracy, testLoss: r.finalEpoch?.testLoss,
            trainLoss: r.finalEpoch?.trainLoss, seconds: r.seconds, parameters: r.parameterCount,
            architecture: r.architecture, findings: r.outcome.findings.map { RenderedFinding($0) })
    }

    static func json(_ results: [RunResult], files: [String]) -> String {
        struct Output: Encodable { var runs: [RunSummary]; var files: [String] }
        let encoder = CheckpointJSON.encoder
        let output = results.count == 1 ? nil : Output(runs: results.map(summary), files: files)
        if let output, let data = try? encoder.encode(output) { return String(decoding: data, as: UTF8.self) }
        struct Single: Encodable { var run: RunSummary; var files: [String] }
        let data = (try? encoder.encode(Single(run: summary(results[0]), files: files))) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
