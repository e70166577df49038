import ArgumentParser
import Datasets
import Training

/// The training flags shared by `train` and `compare` (apart from those `compare` takes as lists).
/// Flags a checkpoint also records are optional, so that `--resume` can tell a flag the user
/// gave (and refuse it when it contradicts the checkpoint) from a default.
struct TrainOptions: ParsableArguments {
    @Option(
        name: .customLong("data"),
        help:
            "Data: digits (bundled 8×8 digits, the default), fashion-mnist (Debian's dataset-fashion-mnist), mnist:DIR or idx:DIR."
    )
    var dataOption: String?

    @Option(
        name: .customLong("normalize"),
        help: "Pixel scaling: raw, unit ([0, 1], the default) or standard (per-feature z-scores from the training set)."
    )
    var normalizeOption: Normalization?

    @Option(name: .customLong("batch"), help: "Examples per batch (default 32).")
    var batchOption: Int?

    @Option(help: "Passes over the training set (default 30; with --resume, the new total).")
    var epochs: Int?

    @Option(name: .customLong("monitor-every"), help: "Read the gradient-flow monitors every N batches (default 10).")
    var monitorEveryOption: Int?

    @Option(
        name: .customLong("out"),
        help:
            "Directory for metrics.csv, metrics.json, gradient-flow.svg, report.html and the checkpoint; it must be new or empty unless --force (default: gradscope-out, or gradscope-out-2, -3, … when that holds an earlier run; with --resume DIR, DIR)."
    )
    var outOption: String?

    @Flag(help: "Write into a non-empty --out, replacing the earlier run's files there.")
    var force = false

    @Option(help: "Output format of the final summary on stdout: text or json.")
    var format: OutputFormat = .text

    @OptionGroup var memory: MemoryOptions

    var data: String { dataOption ?? "digits" }
    var normalize: Normalization { normalizeOption ?? .unitInterval }
    var batch: Int { batchOption ?? 32 }
    var monitorEvery: Int { monitorEveryOption ?? 10 }
    /// `--out`, or a default folder that holds no earlier run.
    var out: String { outOption ?? RunFolder.unused("gradscope-out") }

    func validate() throws {
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1, got \(batch)") }
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        guard monitorEvery >= 1 else {
            throw ValidationError("--monitor-every must be at least 1, got \(monitorEvery)")
        }
        do { _ = try DataSource(parsing: data) } catch { throw ValidationError(SettingFlags.message(error)) }
    }
}

extension Normalization: ExpressibleByArgument {}
extension OptimizerKind: ExpressibleByArgument {}
