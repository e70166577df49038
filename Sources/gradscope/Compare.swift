import ArgumentParser
import Datasets
import Foundation
import NeuralNet
import TensorCore
import Training

/// `gradscope compare`: trains several configurations on the same data and overlays their
/// gradient flow in one figure.
struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train several configurations and overlay their gradient flow.",
        discussion: """
            --activation, --init, --lr and --optimizer take comma-separated lists.
            Lists of the same length are zipped into configurations (the i-th value
            of each); a single value applies to all. Every configuration trains on
            the same data with the same seed. Writes metrics.csv, metrics.json,
            gradient-flow.svg (layers keep their colour, configurations get line
            styles) and report.html to --out, and a summary table to stdout. No
            checkpoints are written.

            --out must be new or empty (--force replaces an earlier run's files
            there). Ctrl-C finishes the current batch, writes metrics and report
            for the configurations so far, and exits 130.

            Exit status: 0 every run completed, 3 some run stopped on a NaN or
            infinite loss, 64 bad flags (or a configuration that would need more
            memory than is available or --max-memory), 65 a bad data file, 73 an
            output that cannot be written (permission denied, disk full, --out
            holding another run's files, or in use by another run), 130
            interrupted (Ctrl-C; metrics and report written).

            Examples:
              gradscope compare --hidden 30,30,30,30,30 --activation sigmoid,relu \\
                  --init xavier,he
              gradscope compare --hidden 100 --optimizer sgd,momentum,adam \\
                  --lr 0.1,0.05,0.001
              gradscope compare --data fashion-mnist --hidden 1000,750,500 \\
                  --init normal,xavier --batch 100 --lr 0.01 --momentum 0.99 --epochs 1
            """)

    @Option(help: "Every layer size from input to output, e.g. 64,30,10.", transform: parseSizes)
    var layers: [Int]?

    @Option(help: "Hidden layer sizes, e.g. 30,30,30 (default 64).", transform: parseSizes)
    var hidden: [Int]?

    @Option(
        help: "Hidden activations, e.g. sigmoid,relu.",
        transform: { try list($0, ActivationKind.init(rawValue:), "activation") })
    var activation: [ActivationKind] = [.sigmoid]

    @Option(
        name: .customLong("init"), help: "Initialisations, e.g. xavier,he.",
        transform: { try list($0, Initializer.init(rawValue:), "initialisation") })
    var initializer: [Initializer] = [.xavierUniform]

    @Option(help: "Learning rates, e.g. 0.1,0.01.", transform: { try list($0, Double.init, "learning rate") })
    var lr: [Double] = [0.05]

    @Option(
        help: "Optimizers, e.g. sgd,momentum,nesterov,adam.",
        transform: { try list($0, OptimizerKind.init(rawValue:), "optimizer") })
    var optimizer: [OptimizerKind] = [.momentum]

    @Option(help: "Momentum μ (momentum, nesterov).")
    var momentum = 0.9

    @Option(help: "Loss: \(LossKind.allCases.map(\.rawValue).joined(separator: "|")).")
    var loss: LossKind?

    @Option(help: "L2 regularisation strength λ.")
    var lambda: Double?

    @Option(help: "Precision: float32 or float64.")
    var dtype: DType = .float32

    @Option(help: "Seed for initialisation and shuffling (the same for every configuration).")
    var seed: UInt64 = 0

    @OptionGroup var options: TrainOptions

    @Flag(help: "No progress or warnings on stderr.")
    var quiet = false

    func validate() throws {
        let counts = [activation.count, initializer.count, lr.count, optimizer.count].filter { $0 > 1 }
        guard Set(counts).count <= 1 else {
            throw ValidationError(
                "lists of several values must have the same length, got \(counts.map(String.init).joined(separator: ", "))"
            )
        }
        guard configurationCount >= 2 else {
            throw ValidationError("give at least one list of two or more values, e.g. --activation sigmoid,relu")
        }
        for config in configurations {
            do { try config.1.validate() } catch { throw ValidationError(SettingFlags.message(error)) }
            do { try config.0.validate() } catch { throw ValidationError(SettingFlags.message(error)) }
        }
    }

    var configurationCount: Int { max(activation.count, initializer.count, lr.count, optimizer.count) }

    /// (architecture, optimizer, label) per configuration.
    var configurations: [(ArchitectureSpec, OptimizerConfiguration, String)] {
        (0..<configurationCount).map { i in
            func pick<T>(_ values: [T]) -> T { values.count == 1 ? values[0] : values[i] }
            let spec = ArchitectureSpec(
                layers: layers, hidden: layers == nil ? (hidden ?? [64]) : nil, activation: pick(activation),
                loss: loss, lambda: lambda, initializer: pick(initializer), seed: seed)
            let opt = OptimizerConfiguration(kind: pick(optimizer), learningRate: pick(lr), momentum: momentum)
            var parts = [String]()
            if activation.count > 1 { parts.append(pick(activation).rawValue) }
            if initializer.count > 1 { parts.append(pick(initializer).rawValue) }
            if optimizer.count > 1 { parts.append(pick(optimizer).rawValue) }
            if lr.count > 1 { parts.append("η \(pick(lr))") }
            return (spec, opt, parts.joined(separator: " "))
        }
    }

    func run() throws {
        do {
            try runComparison()
        } catch let failure as CLIError {
            FileHandle.standardError.write(Data("gradscope compare: \(failure.description)\n".utf8))
            throw ExitCode(failure.exitCode)
        }
    }

    func runComparison() throws {
        let split = try TrainingSession.loadData(options.data, normalization: options.normalize)
        let planned = configurations.map { spec, optimizerConfiguration, label in
            (
                RunSettings(
                    spec: spec, data: options.data, normalization: options.normalize, dtype: dtype, label: label),
                TrainingConfiguration(
                    epochs: options.epochs ?? 30, batchSize: options.batch, seed: seed,
                    monitorEvery: options.monitorEvery, optimizer: optimizerConfiguration)
            )
        }
        for (settings, configuration) in planned {
            try TrainingSession.refuseOversized(
                settings, configuration: configuration, split: split, memory: options.memory)
        }
        let out = options.out
        let folder = try RunFolder.claim(out, command: "compare", options.force ? .force : .fresh)
        Interruption.shared.install(
            message:
                "gradscope compare: interrupted; finishing the current batch, then writing metrics and report (Ctrl-C again to stop at once)"
        )
        let progress = TrainingProgress(quiet: quiet)
        progress.showsLabel = true
        var results = [RunResult]()
        for (settings, configuration) in planned {
            if Interruption.shared.requested { break }
            if dtype == .float64 {
                results.append(
                    try TrainingSession.run(
                        Double.self, settings: settings, configuration: configuration, split: split,
                        resume: nil, checkpointPath: nil, progress: progress))
            } else {
                results.append(
                    try TrainingSession.run(
                        Float.self, settings: settings, configuration: configuration, split: split,
                        resume: nil, checkpointPath: nil, progress: progress))
            }
        }
        if results.isEmpty {
            FileHandle.standardError.write(
                Data(
                    "gradscope compare: interrupted before the first configuration finished a batch; nothing written\n"
                        .utf8))
            throw ExitCode(Interruption.exitCode)
        }
        let title =
            "Gradient flow: " + results.map(\.settings.label).joined(separator: " vs ")
            + " (\(results[0].shortArchitecture.split(separator: " ")[0]), \(options.data))"
        let files = try TrainingOutputs.write(results, to: out, title: title)
        switch options.format {
        case .text: print(table(results) + "\nwrote: " + files.joined(separator: ", "))
        case .json: print(TrainSummary.json(results, files: files))
        }
        withExtendedLifetime(folder) {}
        if Interruption.shared.requested {
            let skipped = planned.count - results.count
            FileHandle.standardError.write(
                Data(
                    "gradscope compare: interrupted: wrote metrics and report for \(results.count) configuration\(results.count == 1 ? "" : "s")\(skipped > 0 ? " (\(skipped) not started)" : "") to \(out); compare writes no checkpoint\n"
                        .utf8))
            throw ExitCode(Interruption.exitCode)
        }
        if results.contains(where: { $0.outcome.stop != .completed }) { throw ExitCode(nonFiniteExitCode) }
    }

    func table(_ results: [RunResult]) -> String {
        let header = ["configuration", "test acc", "test loss", "layer1/max |ΔW|", "findings"]
        let rows = results.map { r -> [String] in
            let updates = r.history.layers.indices.map { l in
                Diagnosis.median(r.history.samples.map { $0.layers[l].meanAbsoluteUpdate })
            }
            let ratio = (updates.first ?? .nan) / (updates.max() ?? .nan)
            return [
                r.settings.label,
                r.finalEpoch?.testAccuracy.map { String(format: "%.2f%%", 100 * $0) } ?? "–",
                r.finalEpoch?.testLoss.map { String(format: "%.4f", $0) } ?? "–",
                String(format: "%.2e", ratio),
                r.outcome.findings.isEmpty ? "none" : r.outcome.findings.map(\.code.rawValue).joined(separator: ", ")
            ]
        }
        let widths = header.indices.map { c in ([header[c]] + rows.map { $0[c] }).map(\.count).max()! }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        return ([line(header), line(widths.map { String(repeating: "-", count: $0) })] + rows.map(line)).joined(
            separator: "\n")
    }
}

/// "a,b" → [A, B] through `make`, naming the option in the error.
func list<T>(_ text: String, _ make: (String) -> T?, _ what: String) throws -> [T] {
    let values = text.split(separator: ",").map { make($0.trimmingCharacters(in: .whitespaces)) }
    guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else {
        throw ValidationError("cannot read '\(text)' as a list of \(what)s")
    }
    return values.map { $0! }
}
