import ArgumentParser
import Foundation
import NeuralNet

/// `--max-memory`: the memory a command may plan to use (default: MemAvailable).
struct MemoryOptions: ParsableArguments {
    @Option(
        name: .customLong("max-memory"),
        help: ArgumentHelp(
            "Refuse to start when the estimated memory exceeds this, e.g. 512M or 4G (default: the available memory).",
            valueName: "size"))
    var maxMemory: String?

    func validate() throws {
        if let maxMemory, MemoryBudget.parseSize(maxMemory) == nil {
            throw ValidationError("--max-memory must be a size such as 800M, 4G or 1073741824, got '\(maxMemory)'")
        }
    }

    /// The limit in bytes: `--max-memory`, else MemAvailable, else none.
    var limit: (bytes: Int, source: String)? {
        if let maxMemory, let bytes = MemoryBudget.parseSize(maxMemory) { return (bytes, "--max-memory \(maxMemory)") }
        return MemoryBudget.available().map { ($0, "available (MemAvailable in /proc/meminfo)") }
    }

    /// Throws a usage error (exit 64) with the estimate when `estimate` exceeds the limit.
    func enforce(_ estimate: MemoryEstimate, for what: String) throws {
        try MemoryBudget.enforce(estimate, limit: limit, what: what)
    }
}

/// An up-front estimate of the memory a command will need: named parts in bytes, `nil` when
/// a part's arithmetic overflows `Int`.
struct MemoryEstimate {
    var parts: [(name: String, bytes: Int?)] = []

    mutating func add(_ name: String, _ bytes: Int?) { parts.append((name, bytes)) }

    var total: Int? { parts.reduce(0 as Int?) { CheckedSize.sum($0, $1.bytes) } }

    var description: String {
        guard let total else {
            let overflowing = parts.filter { $0.bytes == nil }.map(\.name).joined(separator: ", ")
            return "more than 2⁶³ bytes (the sizes overflow 64-bit arithmetic in: \(overflowing))"
        }
        let shown = parts.filter { ($0.bytes ?? 0) > 0 }.sorted { ($0.bytes ?? 0) > ($1.bytes ?? 0) }
        return "about \(MemoryBudget.format(total)) ("
            + shown.map { "\($0.name) \(MemoryBudget.format($0.bytes!))" }.joined(separator: ", ") + ")"
    }
}

enum MemoryBudget {
    /// MemAvailable from /proc/meminfo (Linux), in bytes; nil elsewhere.
    static func available() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            let fields = line.split(separator: " ")
            if fields.count >= 2, let kB = Int(fields[1]) { return CheckedSize.product(kB, 1024) }
        }
        return nil
    }

    /// "800M", "4G", "1.5GB", "1073741824" → bytes (binary units: K = 1024).
    static func parseSize(_ text: String) -> Int? {
        var t = text.trimmingCharacters(in: .whitespaces).uppercased()
        if t.hasSuffix("B") { t.removeLast() }
        if t.hasSuffix("I") { t.removeLast() }
        var multiplier = 1.0
        if let last = t.last, let power = ["K": 1, "M": 2, "G": 3, "T": 4][String(last)] {
            multiplier = pow(1024, Double(power))
            t.removeLast()
        }
        guard let value = Double(t), value.isFinite, value > 0 else { return nil }
        let bytes = value * multiplier
        return bytes < 9.2e18 ? Int(bytes) : nil
    }

    static func format(_ bytes: Int) -> String {
        let b = Double(bytes)
        if b >= 1_073_741_824.0 { return String(format: "%.1f GB", b / 1_073_741_824.0) }
        if b >= 1_048_576.0 { return String(format: "%.0f MB", b / 1_048_576.0) }
        return String(format: "%.0f kB", max(1, b / 1024))
    }

    static func enforce(_ estimate: MemoryEstimate, limit: (bytes: Int, source: String)?, what: String) throws {
        guard let total = estimate.total else {
            throw ValidationError("\(what) would need \(estimate.description); refusing before allocating")
        }
        if let limit, total > limit.bytes {
            throw ValidationError(
                "\(what) would need \(estimate.description), more than the \(format(limit.bytes)) \(limit.source); use a smaller network or fewer examples, or raise --max-memory"
            )
        }
    }

    /// Threads that evaluate concurrently (each holds its own perturbed copy and activations).
    static var threads: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// `check` and `sweep` on a built-in or dense network: the model and its perturbed copies,
    /// the point and gradients in Double, the batch and the forward passes' activations, and
    /// the per-entry records.
    static func checkEstimate(
        _ spec: ArchitectureSpec, scalarBytes: Int, entries: (_ parameters: Int?, _ blocks: Int) -> Int?
    ) -> MemoryEstimate {
        let sizes: [Int]
        let m: Int?
        if let preset = spec.presetSizes {
            sizes = preset; m = spec.presetExamples
        } else if spec.layers != nil || spec.hidden != nil {
            sizes = spec.layers ?? ([8] + (spec.hidden ?? []) + [4]); m = spec.examples ?? 8
        } else {
            sizes = [3, 5, 3]; m = spec.examples ?? 5
        }
        let footprint = DenseFootprint(sizes: sizes)
        let n = footprint.parameters
        var e = MemoryEstimate()
        e.add("runtime", runtimeBytes)
        // The model, plus one perturbed copy per evaluating thread.
        e.add("parameters", CheckedSize.product(CheckedSize.product(n, scalarBytes), threads + 1))
        // The point, the analytic gradient (flattened and converted), the noise direction: Double.
        e.add(
            "point and gradients", CheckedSize.sum(CheckedSize.product(n, 8 * 4), CheckedSize.product(n, scalarBytes)))
        // Inputs and targets, and the tapes (input and output per layer, activation layers too)
        // of the base pass and of each thread's pass.
        e.add(
            "examples",
            CheckedSize.product(CheckedSize.product(m, CheckedSize.sum(sizes.first, sizes.last)), scalarBytes))
        e.add(
            "activations",
            CheckedSize.product(
                CheckedSize.product(CheckedSize.product(m, footprint.widths), scalarBytes), 4 * (threads + 1)))
        // Each checked entry's record (~100 bytes) and its four perturbations in flight.
        e.add(
            "check records",
            CheckedSize.product(entries(n, 2 * (sizes.count - 1)), recordBytes * (spec.lambda ?? 0 > 0 ? 2 : 1)))
        return e
    }

    /// The process itself before any model: the Swift runtime, Foundation, the thread pools
    /// (measured at 20-30 MB resident for `gradscope check` on ex4-debug).
    static let runtimeBytes = 32 << 20

    /// Bytes kept per checked entry: the ``EntryResult`` (block name, 8 numbers, verdict) with
    /// its share of array growth, and the anchors' copies of its two values.
    static let recordBytes = 192
}

extension MemoryBudget {
    /// `train` and `compare` (one configuration at a time): the data in Float and in the run's
    /// precision, the model with its gradient, optimizer slots, monitor snapshot and the
    /// checkpoint being serialised, and the training and evaluation workspaces.
    static func trainEstimate(
        sizes: [Int], trainCount: Int, testCount: Int, batch: Int, scalarBytes: Int,
        optimizerSlots: Int
    ) -> MemoryEstimate {
        let footprint = DenseFootprint(sizes: sizes)
        let n = footprint.parameters
        var e = MemoryEstimate()
        e.add("runtime", runtimeBytes)
        let examples = CheckedSize.sum(trainCount, testCount)
        // Float images as loaded, the run's copy, and the per-example labels.
        e.add(
            "data",
            CheckedSize.product(examples, CheckedSize.sum(CheckedSize.product(sizes.first, 4 + scalarBytes), 16)))
        // Weights, gradient, monitor snapshot, optimizer slots; the checkpoint's payload, file
        // image and tensors when it is written.
        let copies = 3 + optimizerSlots + 2 * (1 + optimizerSlots)
        e.add("parameters", CheckedSize.product(CheckedSize.product(n, scalarBytes), copies))
        // Training workspace (outputs, pre-activations and deltas per layer) for one batch, and
        // the evaluation workspace (up to 500 rows).
        let rows = CheckedSize.sum(Swift.min(batch, Swift.max(trainCount, 1)), Swift.min(500, Swift.max(testCount, 1)))
        e.add("activations", CheckedSize.product(CheckedSize.product(rows, footprint.widths), 4 * scalarBytes))
        return e
    }
}
