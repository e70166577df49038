import Foundation

/// What a check expects to cost, measured on its first evaluations (the point, its repeats and
/// the noise measurement) before the bulk of the work starts.
public struct CheckPlan: Sendable, Hashable {
    /// Entries the check will compare.
    public var entries: Int
    /// Entries a full check would compare (the point's size).
    public var fullEntries: Int
    /// Expected evaluations per compared entry (two or four for the central differences, plus
    /// the re-measured share).
    public var evaluationsPerEntry: Double
    /// Measured wall time per evaluation, over the copies that run in parallel.
    public var secondsPerEvaluation: Double
    /// Seconds already spent when the plan was made.
    public var elapsed: Double
    /// The size of each parameter block.
    public var blockSizes: [Int]

    public init(
        entries: Int, fullEntries: Int, evaluationsPerEntry: Double, secondsPerEvaluation: Double, elapsed: Double,
        blockSizes: [Int] = []
    ) {
        self.entries = entries; self.fullEntries = fullEntries; self.evaluationsPerEntry = evaluationsPerEntry
        self.secondsPerEvaluation = secondsPerEvaluation; self.elapsed = elapsed; self.blockSizes = blockSizes
    }

    /// Evaluations the bulk of the check will make.
    public var evaluations: Int { Int((Double(entries) * evaluationsPerEntry).rounded(.up)) }
    /// Expected seconds for the whole check.
    public var estimatedSeconds: Double { elapsed + Double(evaluations) * secondsPerEvaluation }
    /// Expected seconds for a full check.
    public var fullSeconds: Double { elapsed + Double(fullEntries) * evaluationsPerEntry * secondsPerEvaluation }
}

/// What `--budget` chose: every entry, or the largest stratified sample that fits.
public struct BudgetDecision: Sendable, Hashable {
    /// The budget, in seconds.
    public var seconds: Double
    /// Entries per block of the sample; nil when every entry fits.
    public var perBlock: Int?
    /// Entries the check compares, and how many the point has.
    public var entries: Int
    public var fullEntries: Int
    /// The estimate for the chosen check, in seconds.
    public var estimatedSeconds: Double
    /// For each block, the chance that a mistake confined to one of its entries is not among
    /// the checked ones (1 − checked/size; 0 when every entry is checked).
    public var missProbability: [String: Double]

    /// The largest per-block sample size k (stratified: min(size, k) entries of each block)
    /// whose total stays within `entries`; at least 1.
    public static func perBlock(fitting entries: Int, blockSizes: [Int]) -> Int {
        func total(_ k: Int) -> Int { blockSizes.reduce(0) { $0 + min($1, k) } }
        var lo = 1, hi = max(1, blockSizes.max() ?? 1)
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if total(mid) <= entries { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }
}

extension CheckRun {
    /// Expected evaluations per entry: four for the two central differences, plus the two of
    /// the re-measurement for the share of entries that need one (about one in six measured
    /// over the built-in models and examples, counted as 0.3); economically, two for the one
    /// central difference plus the pilots' and undecided entries' second steps (counted as 0.5).
    var evaluationsPerEntry: Double { configuration.economical ? 2.5 : 4.3 }

    /// Estimated seconds above which the cost of a coordinate evaluation is measured directly.
    static var probeThreshold: Double { 2 }

    /// Measures the cost so far, applies a budget (switching a full check to the largest
    /// sample that fits), and hands the plan to the configuration's observer. The time per
    /// evaluation is that of the batch since `timed` (the noise measurement: value-only
    /// evaluations in parallel, like the bulk), or of everything so far when that made none.
    ///
    /// Evaluations at single-coordinate offsets can cost far less than the noise measurement's
    /// (a built-in model recomputes only what one parameter changes): when a budget is given or
    /// the first estimate exceeds ``probeThreshold`` seconds, eight coordinate evaluations spread
    /// over the point are timed (after the same eight once untimed, to warm caches) and their
    /// time is used instead.
    mutating func plan(
        entries: Int, started: Date, timed: (start: Date, evaluations: Int),
        mode: inout CheckConfiguration.Mode
    ) throws(EvaluationError) {
        let batch = evaluations - timed.evaluations
        var perEvaluation =
            batch > 0
            ? Date().timeIntervalSince(timed.start) / Double(batch)
            : Date().timeIntervalSince(started) / Double(max(1, evaluations))
        let n = objective.point.count
        let perEntry = evaluationsPerEntry
        var directional = false
        if case .directional = mode { directional = true }
        if !directional, configuration.budget != nil || Double(n) * perEntry * perEvaluation > Self.probeThreshold {
            let probes = try (0..<min(8, n)).map { k throws(EvaluationError) -> Perturbation in
                let i = n * k / min(8, n)
                return .coordinate(i, try nominalStep(i) / 2)
            }
            _ = try values(probes)  // the first evaluations warm caches up
            let start = Date()
            _ = try values(probes)
            perEvaluation = Date().timeIntervalSince(start) / Double(probes.count)
        }
        let elapsed = Date().timeIntervalSince(started)
        if let budget = configuration.budget {
            let fit = Int(max(0, budget - elapsed) / max(perEvaluation * perEntry, 1e-12))
            let sizes = objective.blocks.map(\.count)
            var decision = BudgetDecision(
                seconds: budget, perBlock: nil, entries: n, fullEntries: n, estimatedSeconds: 0,
                missProbability: [:])
            switch mode {
            case .full, .sample:
                if fit < n {
                    let k = BudgetDecision.perBlock(fitting: fit, blockSizes: sizes)
                    mode = .sample(perBlock: k)
                    decision.perBlock = k
                    decision.entries = sizes.reduce(0) { $0 + min($1, k) }
                } else {
                    mode = .full
                }
            case .directional:
                decision.entries = 0
            }
            for b in objective.blocks where b.count > 0 {
                let checked = decision.perBlock.map { min(b.count, $0) } ?? b.count
                decision.missProbability[b.name] = 1 - Double(checked) / Double(b.count)
            }
            decision.estimatedSeconds = elapsed + Double(decision.entries) * perEntry * perEvaluation
            report.budget = decision
            report.mode = mode.name
        }
        var chosen = entries
        switch mode {
        case .full: chosen = n
        case .sample(let k): chosen = objective.blocks.reduce(0) { $0 + min($1.count, k) }
        case .directional: chosen = entries
        }
        if let shard = configuration.shard {
            chosen = max(0, chosen - shard.index + shard.count - 1) / shard.count
        }
        let plan = CheckPlan(
            entries: chosen, fullEntries: n, evaluationsPerEntry: perEntry,
            secondsPerEvaluation: perEvaluation, elapsed: elapsed, blockSizes: objective.blocks.map(\.count))
        report.plan = plan
        configuration.planned?(plan)
    }
}
