/// How a gradient check runs.
public struct CheckConfiguration: Sendable {
    public enum Mode: Sendable, Hashable {
        /// Every coordinate.
        case full
        /// A stratified random subset: at least `perBlock` entries of every block (or all of a
        /// smaller block), seeded.
        case sample(perBlock: Int)
        /// `directions` random directions: g·v against the directional derivative, then
        /// group testing over blocks when one fails.
        case directional(directions: Int)

        public var name: String {
            switch self {
            case .full: return "full"
            case .sample: return "sample"
            case .directional: return "directional"
            }
        }
    }

    public enum Step: Sendable, Hashable {
        /// From the measured noise: h ≈ ∛(σ/|f|)·max(1, |xᵢ|), refined from the estimated f‴.
        case auto
        /// A fixed nominal step for every coordinate (the Richardson pair is h and h/2).
        case fixed(Double)
        /// h·max(1, |xᵢ|) for coordinate i: the automatic rule with its relative step fixed in
        /// advance (a vector-valued check sets it once, so that every projection of the outputs
        /// reuses the same evaluations).
        case relative(Double)
    }

    public var mode: Mode = .full
    public var step: Step = .auto
    public var seed: UInt64 = 0
    /// The factor over the estimated truncation + noise (see ``RichardsonEstimate/bound(safety:floor:)``).
    public var safetyFactor: Double = 3
    /// A bound wider than this fraction of max(|a|, |n|, the block's RMS gradient) cannot
    /// tell right from wrong: such entries are `inconclusive`.
    public var resolution: Double = 0.5
    /// Coordinates per batch handed to the objective (parallelism and progress granularity).
    public var batchSize: Int = 256
    /// Called with (entries done, entries total) after each batch.
    public var progress: (@Sendable (Int, Int) -> Void)?
    /// Run the diagnosis on failing blocks.
    public var diagnose: Bool = true
    /// Measure most entries with one central difference and take a second step only for
    /// those it does not clearly decide (see `CoordinateCheck.swift`); false measures every
    /// entry at two steps.
    public var economical: Bool = true
    /// Check only this share of the entries (``Shard``); the report then carries the
    /// ``ShardContext`` a merge needs.
    public var shard: Shard?
    /// Noise figures measured beforehand (by `gradscope plan`): no repeats, no noise measurement.
    public var plannedNoise: PlannedNoise?
    /// Stop once the cost is planned (after the noise measurement and the timing probe): for
    /// `gradscope plan`.
    public var stopAfterPlan: Bool = false
    /// A time budget in seconds for the whole check: after the first evaluations are timed, a
    /// full check that would not fit becomes the largest stratified sample that does
    /// (``BudgetDecision``).
    public var budget: Double?
    /// Called once with the measured cost estimate, before the bulk of the evaluations.
    public var planned: (@Sendable (CheckPlan) -> Void)?

    public init(mode: Mode = .full, step: Step = .auto, seed: UInt64 = 0) {
        self.mode = mode; self.step = step; self.seed = seed
    }
}
