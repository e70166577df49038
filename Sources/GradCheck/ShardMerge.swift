import Foundation
import NeuralNet

/// A shard's part file (`gradscope check --shard K/N --out part-K.json`): the entries it
/// checked, with everything the merge needs to rebuild the unsharded report.
///
///     {"format": "gradscope-shard/1", "title", "context": {ShardContext}, "settings": {...},
///      "entries": [{"block", "blockIndex", "index", "analytic", "numeric", "bound", "verdict",
///      "step", "truncation", "noise"}], "error": "…" (when the program failed)}
///
/// Non-finite numbers are written as the strings "NaN", "Infinity", "-Infinity". Numbers are
/// Swift's shortest round-trip form, so a merge reads back the same bits.
public struct ShardFile: Sendable, Codable {
    public static let format = "gradscope-shard/1"

    public struct Settings: Sendable, Hashable, Codable {
        public var mode: String
        public var precision: Precision
        public var seed: UInt64
        public var safetyFactor: Double
        public var value: Double
        public var noise: Double
        public var noiseSource: String
        public var evaluations: Int
        public var seconds: Double
        public var version: String
    }

    public struct Entry: Sendable, Hashable, Codable {
        public var block: String
        public var blockIndex: Int
        public var index: Int
        public var analytic: Double
        public var numeric: Double
        public var bound: Double
        public var verdict: EntryVerdict
        public var step: Double
        public var truncation: Double
        public var noise: Double
        /// Absent in part files written before the error law was recorded.
        public var gaps: [Double]?

        init(_ e: EntryResult) {
            block = e.block; blockIndex = e.blockIndex; index = e.index; analytic = e.analytic; numeric = e.numeric
            bound = e.bound; verdict = e.verdict; step = e.step; truncation = e.truncation; noise = e.noise
            gaps = e.gaps
        }

        var result: EntryResult {
            EntryResult(
                block: block, blockIndex: blockIndex, index: index, analytic: analytic, numeric: numeric,
                bound: bound, verdict: verdict, step: step, truncation: truncation, noise: noise, gaps: gaps)
        }
    }

    public var format: String
    public var title: String
    public var context: ShardContext
    public var settings: Settings
    public var entries: [Entry]
    /// Why this shard could not check its entries (the program crashed, …).
    public var error: String?

    /// The version of the checker that writes part files; shards of different versions do not merge.
    public static let version = "gradscope 0.2"

    /// A part file from a sharded run's report, or nil when the check never reached its
    /// entries without an error (then use ``failed(shard:title:message:)``).
    public init?(report: GradientReport, title: String) {
        guard let context = report.shardContext else { return nil }
        format = Self.format
        self.title = title
        self.context = context
        settings = Settings(
            mode: report.mode, precision: report.precision, seed: report.seed, safetyFactor: report.safetyFactor,
            value: report.value, noise: report.noise, noiseSource: report.noiseSource,
            evaluations: report.evaluations, seconds: report.seconds, version: Self.version)
        entries = report.entries.map(Entry.init)
        error = report.errorMessage
    }

    /// A part file for a shard whose check ended in an error before it had a context.
    public static func failed(shard: Shard, title: String, report: GradientReport) -> ShardFile {
        let context = ShardContext(
            shard: shard, blocks: [], pointCount: 0, entryValues: [], exampleCount: nil,
            regularization: nil, hypotheses: [], baseValue: .nan, repeatSpread: 0,
            noisy: false, nondeterministic: false, fingerprint: "")
        return ShardFile(
            format: format, title: title, context: context,
            settings: Settings(
                mode: report.mode, precision: report.precision, seed: report.seed,
                safetyFactor: report.safetyFactor, value: report.value, noise: report.noise,
                noiseSource: report.noiseSource, evaluations: report.evaluations,
                seconds: report.seconds, version: version),
            entries: [], error: report.errorMessage ?? "the check did not complete")
    }

    init(format: String, title: String, context: ShardContext, settings: Settings, entries: [Entry], error: String?) {
        self.format = format; self.title = title; self.context = context; self.settings = settings
        self.entries = entries; self.error = error
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }

    public static func decode(_ data: Data) throws -> ShardFile {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return try decoder.decode(ShardFile.self, from: data)
    }
}

/// What can be wrong with a set of part files. Each description names the file.
public enum MergeError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    case malformed(file: String, reason: String)
    case inconsistent(file: String, reason: String)
    case duplicate(index: Int, files: [String])
    case missing(indices: [Int], count: Int)
    /// A shard measured a different noise level or base value than `reference`: the
    /// objective is noisy, and every shard must read one plan.
    case noiseDiffers(file: String, noise: Double, reference: String, referenceNoise: Double)
    case empty

    /// How a front end names the two ways out these messages suggest.
    public struct Options: Sendable {
        /// Asking for a partial merge ("pass --partial" on the command line).
        public var partial: String
        /// Giving every shard one plan ("give every shard the same --plan file").
        public var plan: String
        public init(partial: String, plan: String) { self.partial = partial; self.plan = plan }
        /// The library's own words.
        public static let library = Options(
            partial: "ask for a partial merge", plan: "make every shard read the same plan")
    }

    public var description: String { message(.library) }

    /// The one-line message, naming the options as `options` does.
    public func message(_ options: Options) -> String {
        switch self {
        case let .noiseDiffers(file, noise, reference, referenceNoise):
            return
                "\(file) does not belong with the other shards: it measured noise σ = \(noise), \(reference) σ = \(referenceNoise): the objective is noisy; run `gradscope plan` and \(options.plan)"
        case let .unreadable(file, reason): return "cannot read \(file): \(reason)"
        case let .malformed(file, reason): return "\(file) is not a gradscope part file: \(reason)"
        case let .inconsistent(file, reason): return "\(file) does not belong with the other shards: \(reason)"
        case let .duplicate(index, files):
            return
                "shard \(index) comes twice (\(files.joined(separator: ", "))); keep one, or rerun that shard into the same file"
        case let .missing(indices, count):
            let list = indices.prefix(20).map(String.init).joined(separator: ", ") + (indices.count > 20 ? ", …" : "")
            return
                "shard\(indices.count == 1 ? "" : "s") \(list) of \(count) \(indices.count == 1 ? "is" : "are") missing; rerun \(indices.count == 1 ? "it" : "them"), or \(options.partial) to merge what is there"
        case .empty: return "no part files to merge"
        }
    }
}

/// Merges the part files of a sharded check into the report the unsharded check gives: the same
/// entries (bit for bit), block verdicts, anchors, diagnosis and power.
///
/// Checks first that the files belong together (format, version, fingerprint — the same problem,
/// point, seed and settings — and shard count), that no shard comes twice (a failed shard's file
/// and its successful rerun are not a duplicate: the rerun wins), and that none is missing
/// unless `partial`. A shard whose program failed contributes a `shard-error` finding; the
/// other shards' entries stand. Not merged: the λ = 0 second check that unsharded runs of a
/// failing regularised built-in model add (`regularisation-term` / `data-term`).
public enum ShardMerge {
    public static func merge(
        _ files: [(name: String, file: ShardFile)], partial: Bool = false
    ) throws(MergeError) -> (title: String, report: GradientReport) {
        guard !files.isEmpty else { throw .empty }
        for (name, f) in files where f.format != ShardFile.format {
            throw .malformed(file: name, reason: "format \"\(f.format)\", expected \"\(ShardFile.format)\"")
        }
        // One file per shard: a successful rerun replaces a failed shard.
        var byIndex = [Int: (name: String, file: ShardFile)]()
        for item in files {
            let k = item.file.context.shard.index
            if let other = byIndex[k] {
                switch (other.file.error == nil, item.file.error == nil) {
                case (false, true): byIndex[k] = item
                case (true, false): continue
                default: throw .duplicate(index: k, files: [other.name, item.name])
                }
            } else {
                byIndex[k] = item
            }
        }
        let good = byIndex.values.filter { $0.file.error == nil }.sorted {
            $0.file.context.shard.index < $1.file.context.shard.index
        }
        let reference = good.first ?? byIndex.values.first!
        let count = reference.file.context.shard.count
        for (name, f) in byIndex.values {
            if f.context.shard.count != count {
                throw .inconsistent(
                    file: name,
                    reason: "it is one of \(f.context.shard.count) shards, \(reference.name) one of \(count)")
            }
            if f.settings.version != reference.file.settings.version {
                throw .inconsistent(
                    file: name,
                    reason: "written by \(f.settings.version), \(reference.name) by \(reference.file.settings.version)")
            }
        }
        for (name, f) in good where f.context.fingerprint != reference.file.context.fingerprint {
            throw .inconsistent(
                file: name,
                reason:
                    "it checked a different problem, point, seed or settings (fingerprint \(f.context.fingerprint), \(reference.name) has \(reference.file.context.fingerprint))"
            )
        }
        for (name, f) in good
        where f.settings.noise != reference.file.settings.noise
            || f.context.baseValue != reference.file.context.baseValue
        {
            throw .noiseDiffers(
                file: name, noise: f.settings.noise, reference: reference.name,
                referenceNoise: reference.file.settings.noise)
        }
        let missing = (0..<count).filter { byIndex[$0] == nil }
        if !missing.isEmpty && !partial { throw .missing(indices: missing, count: count) }

        let failed = byIndex.values.filter { $0.file.error != nil }.sorted {
            $0.file.context.shard.index < $1.file.context.shard.index
        }
        guard let base = good.first?.file else {
            // Every shard failed: report the first failure.
            let f = failed[0]
            var report = emptyReport(f.file.settings)
            report.verdict = .error
            report.errorMessage = "shard \(f.file.context.shard.index) of \(count) (\(f.name)): \(f.file.error ?? "")"
            return (f.file.title, report)
        }
        let context = base.context
        var entries = [EntryResult]()
        var values = [Int: Double]()
        for (_, f) in good {
            for (e, x) in zip(f.entries, f.context.entryValues) {
                entries.append(e.result)
                values[context.blocks[e.blockIndex].offset + e.index] = x
            }
        }
        entries.sort { ($0.blockIndex, $0.index) < ($1.blockIndex, $1.index) }
        let objective = RecordedObjective(context: context, values: values)
        var configuration = CheckConfiguration(seed: base.settings.seed)
        configuration.safetyFactor = base.settings.safetyFactor
        var run = CheckRun(objective: objective, configuration: configuration)
        run.report = emptyReport(base.settings)
        run.report.entries = entries
        run.report.evaluations = byIndex.values.reduce(0) { $0 + $1.file.settings.evaluations }
        run.report.seconds = byIndex.values.map(\.file.settings.seconds).max() ?? 0
        run.baseValue = context.baseValue
        run.repeatSpread = context.repeatSpread
        run.noisy = context.noisy
        run.nondeterministic = context.nondeterministic
        run.sigma = base.settings.noise
        run.finish()
        var report = run.report
        for f in failed {
            report.diagnosis.append(
                CheckFinding(
                    code: .shardError,
                    message:
                        "Shard \(f.file.context.shard.index) of \(count) (\(f.name)) failed and its entries were not checked: \(f.file.error ?? ""). Rerun that shard into the same file and merge again."
                ))
            if report.verdict != .fail { report.verdict = .error }
        }
        if !missing.isEmpty {
            let list = missing.prefix(20).map(String.init).joined(separator: ", ")
            report.diagnosis.append(
                CheckFinding(
                    code: .partialMerge,
                    message:
                        "Shard\(missing.count == 1 ? "" : "s") \(list) of \(count) \(missing.count == 1 ? "is" : "are") missing: \(missing.count == 1 ? "its" : "their") entries were not checked, so a pass is not established."
                ))
            if report.verdict == .pass { report.verdict = .inconclusive }
        }
        return (base.title, report)
    }

    static func emptyReport(_ s: ShardFile.Settings) -> GradientReport {
        GradientReport(
            verdict: .error, value: s.value, blocks: [], entries: [], diagnosis: [],
            anchors: AnchorFigures(analytic: [], numeric: []), evaluations: s.evaluations, seconds: s.seconds,
            mode: s.mode, precision: s.precision, noise: s.noise, noiseSource: s.noiseSource,
            safetyFactor: s.safetyFactor, seed: s.seed, directions: [], errorMessage: nil)
    }
}

/// The objective as a part file describes it: its blocks, the checked entries' parameter values
/// (zero elsewhere: the diagnosis reads only checked entries), and the known mistakes the
/// shards found the analytic gradient to reproduce. It cannot be evaluated.
struct RecordedObjective: DiagnosableObjective {
    let context: ShardContext
    let blocks: [ObjectiveBlock]
    let point: [Double]
    var exampleCount: Int? { context.exampleCount }

    init(context: ShardContext, values: [Int: Double]) {
        self.context = context
        blocks = context.blocks.map {
            ObjectiveBlock(
                name: $0.name, shape: $0.shape, offset: $0.offset,
                role: $0.role.flatMap(ParameterRole.init(rawValue:)))
        }
        var point = [Double](repeating: 0, count: context.pointCount)
        for (i, x) in values where i < point.count { point[i] = x }
        self.point = point
    }

    func valueAndGradient() throws(EvaluationError) -> (value: Double, gradient: [Double]) {
        throw .failed("a recorded objective cannot be evaluated")
    }
    func values(at offsets: [Perturbation]) throws(EvaluationError) -> [Sample] {
        throw .failed("a recorded objective cannot be evaluated")
    }
    /// The recorded matches, with the (empty) gradient the merge passes to the diagnosis.
    func hypotheses() -> [GradientHypothesis] {
        context.hypotheses.map { GradientHypothesis(code: $0.code, message: $0.message, gradient: []) }
    }
    var regularization: (lambda: Double, examples: Int, coveredBlocks: [Int])? {
        context.regularization.map { ($0.lambda, $0.examples, $0.coveredBlocks) }
    }
    func withoutRegularization() -> RecordedObjective? { nil }
}
