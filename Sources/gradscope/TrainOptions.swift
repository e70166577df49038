import ArgumentParser
import Datasets
import Training

/// The training flags shared by `train` and `compare` (apart from those `compare` takes as lists).
struct TrainOptions: ParsableArguments {
    @Option(help: "Data: digits (bundled 8×8 digits), fashion-mnist (Debian's dataset-fashion-mnist), mnist:DIR or idx:DIR.")
    var data = "digits"

    @Option(help: "Pixel scaling: raw, unit ([0, 1]) or standard (per-feature z-scores from the training set).")
    var normalize: Normalization = .unitInterval

    @Option(help: "Examples per batch.")
    var batch = 32

    @Option(help: "Passes over the training set (default 30; with --resume, the new total).")
    var epochs: Int?

    @Option(name: .customLong("monitor-every"), help: "Read the gradient-flow monitors every N batches.")
    var monitorEvery = 10

    @Option(help: "Directory for metrics.csv, metrics.json, gradient-flow.svg, report.html and the checkpoint.")
    var out = "gradscope-out"

    @Option(help: "Output format of the final summary on stdout: text or json.")
    var format: OutputFormat = .text

    func validate() throws {
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1, got \(batch)") }
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        guard monitorEvery >= 1 else { throw ValidationError("--monitor-every must be at least 1, got \(monitorEvery)") }
        do { _ = try DataSource(parsing: data) } catch { throw ValidationError(error.description) }
    }
}

extension Normalization: ExpressibleByArgument {}
extension OptimizerKind: ExpressibleByArgument {}
