/// One compared entry of the gradient.
public struct EntryResult: Sendable, Hashable {
    /// The block's name.
    public var block: String
    /// The block's position in ``GradientReport/blocks``.
    public var blockIndex: Int
    /// The entry's row-major position within its block.
    public var index: Int
    public var analytic: Double
    public var numeric: Double
    /// |analytic − numeric|.
    public var error: Double { abs(analytic - numeric) }
    /// The error bound the numerical method estimated for this entry.
    public var bound: Double
    public var verdict: EntryVerdict
    /// The (smaller) step of the Richardson pair used.
    public var step: Double
    /// The truncation and noise parts of the bound, before the safety factor.
    public var truncation: Double
    public var noise: Double
    /// a − D(h), a − D(h/2), a − D(h/4) for an entry that was re-measured at h/4 (every entry
    /// that did not pass at once); nil otherwise. Their ``ErrorLaw`` is the evidence a failure
    /// rests on.
    public var gaps: [Double]? = nil

    /// How the gap behaves across the steps (nil when only one or two were measured).
    public var errorLaw: ErrorLaw? { gaps.flatMap(ErrorLaw.init(gaps:)) }
}

/// A named finding of the gradient check's diagnosis: a stable code and a plain-language
/// sentence. (Training's findings are `TrainingFinding`.)
public struct CheckFinding: Sendable, Hashable, Codable {
    /// What was found. The raw values are the contract: JSON `code`, the text report, the
    /// Python package's `CheckFinding.code`; docs/diagnosis.md describes each.
    public enum Code: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
        // The pattern of a failing block (or of a failing pair of a Jacobian check).
        case singleEntry = "single-entry"
        case zeroGradient = "zero-gradient"
        case sign
        case scale
        case transpose
        case regularization = "regularisation"
        case offset
        case biasOnly = "bias-only"
        case concentrated
        case diagonalOnly = "diagonal-only"
        case firstFailingBlock = "first-failing-block"
        // Jacobian and vector-Jacobian-product checks.
        case noEffect = "no-effect"
        case softmaxDiagonal = "softmax-diagonal"
        case jacobianRow = "jacobian-row"
        case vjpWrongShape = "vjp-wrong-shape"
        case vjpZeroCotangent = "vjp-zero-cotangent"
        case vjpNonlinear = "vjp-nonlinear"
        case vjpNotReentrant = "vjp-not-reentrant"
        // The objective and the check itself.
        case noisy
        case nondeterministic
        case regularizationTerm = "regularisation-term"
        case dataTerm = "data-term"
        case shardError = "shard-error"
        case partialMerge = "partial-merge"
        // Known mistakes recognised by their gradient (``GradientHypothesis``) and layer contracts.
        case sigmoidDerivativeOnActivation = "sigmoid-derivative-on-activation"
        case convKernelNotFlipped = "conv-kernel-not-flipped"
        case maxPoolWrongRouting = "maxpool-wrong-routing"
        case reusedParameterNotAccumulated = "reused-parameter-not-accumulated"
        case overwritesGradient = "overwrites-gradient"

        public var description: String { rawValue }
    }

    public var code: Code
    public var message: String
    /// The block it is about, when it is about one.
    public var block: String?
    public init(code: Code, message: String, block: String? = nil) {
        self.code = code; self.message = message; self.block = block
    }
}

/// The result for one parameter block.
public struct BlockResult: Sendable, Hashable {
    public var name: String
    public var shape: [Int]
    public var verdict: CheckVerdict
    /// The largest |analytic − numeric| among the checked entries.
    public var maxError: Double
    /// The number of failing entries.
    public var failing: Int
    public var checked: Int
    public var inconclusive: Int
    /// Entries reported as `kink` (they never make a block fail).
    public var kinks: Int
    public var diagnosis: [CheckFinding]
    /// For a vector-valued check, the (output, input) pair this block is: ∂output/∂input.
    public var output: String? = nil
    public var input: String? = nil
    /// The smallest relative error of the whole block (a = (1 + ε)·n) that its checked entries'
    /// bounds would have detected: min over entries of bound / |n|; nil when nothing was measured.
    public var detectableRelativeError: Double? = nil
    /// For a failing block: the law its failing entries' gaps follow across the steps
    /// (``ErrorLaw``; `mixed` when they disagree), nil when none was re-measured.
    public var errorLaw: ErrorLaw? = nil
    /// Sample mode: for k = 1 and 10, the chance that a mistake confined to k entries of the
    /// block, placed anywhere, falls wholly outside the checked sample: C(n − s, k)/C(n, k).
    public var unseenProbability: [Int: Double]? = nil

    /// C(n − s, k)/C(n, k) for a sample of s of n entries.
    public static func unseenProbability(entries n: Int, checked s: Int, confinedTo k: Int) -> Double {
        guard k <= n - s else { return 0 }
        var p = 1.0
        for j in 0..<k { p *= Double(n - s - j) / Double(n - j) }
        return p
    }
}

/// The anchors' own figures on the same numbers, for familiarity.
public struct AnchorFigures: Sendable, Hashable, Codable {
    /// Ng's ex4: ‖n − a‖/‖n + a‖ (ex4 wants < 1e-9).
    public var ngRelativeDifference: Double
    /// cs231n: maxᵢ |aᵢ − nᵢ| / max(|aᵢ|, |nᵢ|) (cs231n wants < 1e-7).
    public var cs231nMaxRelativeError: Double
    /// PyTorch gradcheck's allclose: |a − n| ≤ 1e-5 + 1e-3·|n| for every entry.
    public var pytorchAllclose: Bool

    public init(analytic: [Double], numeric: [Double]) {
        var d = 0.0, s = 0.0, worst = 0.0, allclose = true
        for (a, n) in zip(analytic, numeric) {
            d += (n - a) * (n - a); s += (n + a) * (n + a)
            let scale = max(abs(a), abs(n))
            if scale > 0 { worst = max(worst, abs(a - n) / scale) }
            if !(abs(a - n) <= 1e-5 + 1e-3 * abs(n)) { allclose = false }
        }
        ngRelativeDifference = s > 0 ? d.squareRoot() / s.squareRoot() : 0
        cs231nMaxRelativeError = worst
        pytorchAllclose = allclose
    }
}

/// The result of a directional test: g·v against the directional derivative along v.
public struct DirectionResult: Sendable, Hashable {
    /// The blocks v is supported on.
    public var blocks: [String]
    public var analytic: Double
    public var numeric: Double
    public var bound: Double
    public var verdict: EntryVerdict
}

/// A gradient check's full result: a value, rendered as text, JSON or HTML.
public struct GradientReport: Sendable {
    public var verdict: CheckVerdict
    /// f(x) at the checked point.
    public var value: Double
    public var blocks: [BlockResult]
    /// Every checked entry (all of them in `full` mode), in block order.
    public var entries: [EntryResult]
    /// Findings about the whole check (the first block to go wrong, data vs regularisation).
    public var diagnosis: [CheckFinding]
    public var anchors: AnchorFigures
    /// Objective evaluations used (value-only and value-with-gradient alike).
    public var evaluations: Int
    public var seconds: Double
    /// `full`, `sample` or `directional`.
    public var mode: String
    public var precision: Precision
    /// The measured noise level σ of f, and how it was obtained.
    public var noise: Double
    public var noiseSource: String
    public var safetyFactor: Double
    public var seed: UInt64
    public var directions: [DirectionResult]
    /// A one-line reason when the verdict is `error`.
    public var errorMessage: String?
    /// `gradient` for a scalar objective, `jacobian` for a vector-valued one.
    public var kind: String = "gradient"
    /// A vector-valued check's output blocks.
    public var outputs: [ObjectiveBlock]? = nil
    /// A vector-valued check's method: `full` (every row of the Jacobian) or `projections`.
    public var jacobian: String? = nil
    /// What `--budget` decided, when a budget was given.
    public var budget: BudgetDecision? = nil
    /// The time and evaluations the check expected before its bulk (see ``CheckPlan``).
    public var plan: CheckPlan? = nil
    /// A sharded run's context for the merge.
    public var shardContext: ShardContext? = nil
    /// The noise figures this check measured (or was given), for `gradscope plan`.
    public var measuredNoise: PlannedNoise? = nil

    /// Whether the check passed.
    public var passed: Bool { verdict == .pass }
}
