import Foundation
import TensorCore

/// Checks an objective's analytic gradient against calibrated numerical derivatives.
///
/// For each checked coordinate i: central differences at h and h/2, Richardson-extrapolated
/// (``RichardsonEstimate``), with an error bound from the estimated truncation and the measured
/// noise (``NoiseLevel``). An entry passes when |a − n| is within its bound. Entries that do not
/// pass are re-measured at h/4: an entry fails only when it is outside the bound at both step
/// pairs, and it is a `kink` when the perturbation crossed a non-differentiable point (by the
/// objective's structure flags, or by one-sided differences that disagree while each is stable).
public func check(
    _ objective: some GradientObjective,
    configuration: CheckConfiguration = CheckConfiguration()
) -> GradientReport {
    let start = Date()
    var run = CheckRun(objective: objective, configuration: configuration)
    do {
        try run.execute()
    } catch {
        run.report.verdict = .error
        run.report.errorMessage = error.description
    }
    run.report.evaluations = run.evaluations
    run.report.seconds = Date().timeIntervalSince(start)
    return run.report
}

/// The state of one check as it runs.
struct CheckRun<Objective: GradientObjective> {
    let objective: Objective
    let configuration: CheckConfiguration
    var evaluations = 0
    var rng: PRNG
    var report: GradientReport
    var baseValue = 0.0
    var sigma = 0.0
    var gradient = [Double]()
    /// Repeated evaluations at the point differ beyond rounding (noise), or grossly (not a function).
    var noisy = false
    var nondeterministic = false
    var repeatSpread = 0.0
    /// Blocks that directional group testing isolated as failing.
    var localisedFailures = [Int]()

    init(objective: Objective, configuration: CheckConfiguration) {
        self.objective = objective
        self.configuration = configuration
        rng = PRNG(seed: configuration.seed)
        report = GradientReport(
            verdict: .error, value: .nan, blocks: [], entries: [], diagnosis: [],
            anchors: AnchorFigures(analytic: [], numeric: []), evaluations: 0, seconds: 0,
            mode: configuration.mode.name, precision: objective.precision, noise: .nan, noiseSource: "",
            safetyFactor: configuration.safetyFactor, seed: configuration.seed, directions: [], errorMessage: nil)
    }

    mutating func values(_ offsets: [Perturbation]) throws(EvaluationError) -> [Sample] {
        evaluations += offsets.count
        let samples = try objective.values(at: offsets)
        guard samples.count == offsets.count else {
            throw .failed("the objective returned \(samples.count) values for \(offsets.count) requests")
        }
        return samples
    }

    mutating func execute() throws(EvaluationError) {
        let started = Date()
        let n = objective.point.count
        let covered = objective.blocks.reduce(0) { $0 + $1.count }
        guard covered == n else {
            throw .failed("the parameter blocks cover \(covered) entries but the point has \(n)")
        }
        let (f0, g) = try objective.valueAndGradient()
        evaluations += 1
        guard f0.isFinite else { throw .nonFiniteValue(context: "at the point to check") }
        guard g.count == n else { throw .wrongGradientLength(expected: n, got: g.count) }
        if let bad = g.firstIndex(where: { !$0.isFinite }) { throw .nonFiniteGradient(index: bad) }
        report.value = f0
        gradient = g

        // Repeated evaluations at the point: a deterministic objective gives the same value.
        var directional = false
        if case .directional = configuration.mode { directional = true }
        let timed: (start: Date, evaluations: Int)
        if let planned = configuration.plannedNoise {
            baseValue = planned.baseValue
            measuredSpread(planned.spread, value: f0)
            timed = (start: Date(), evaluations: evaluations)
            sigma = planned.sigma
            report.noise = planned.sigma
            report.noiseSource = planned.source + " (from the plan)"
        } else {
            let repeats = try values(Array(repeating: Perturbation(), count: directional ? 1 : 2)).map(\.value)
            guard repeats.allSatisfy(\.isFinite) else {
                throw .nonFiniteValue(context: "when re-evaluated at the point")
            }
            baseValue = repeats[0]
            let spread = (repeats + [f0]).max()! - (repeats + [f0]).min()!
            measuredSpread(spread, value: f0)

            timed = (start: Date(), evaluations: evaluations)
            let noise =
                directional
                ? NoiseLevel(
                    sigma: max(objective.precision.unitRoundoff * abs(f0), spread, Double.leastNormalMagnitude),
                    source: "u·|f| and, per direction, the Δ⁴ of its five-point stencil", evaluations: 0)
                : try NoiseLevel.measure(objective, value: f0, spread: spread, rng: &rng)
            evaluations += noise.evaluations
            sigma = noise.sigma
            report.noise = noise.sigma
            report.noiseSource = noise.source
        }
        report.measuredNoise = PlannedNoise(
            sigma: sigma, source: report.noiseSource, baseValue: baseValue, spread: repeatSpread)

        var mode = configuration.mode
        if case .directional(let k) = mode {
            try plan(entries: 4 * max(1, k), started: started, timed: timed, mode: &mode)
        } else {
            try plan(entries: n, started: started, timed: timed, mode: &mode)
        }
        if configuration.stopAfterPlan { return }
        switch mode {
        case .full:
            try checkCoordinates(Array(0..<n))
        case .sample(let perBlock):
            try checkCoordinates(sampleCoordinates(perBlock: perBlock))
        case .directional(let k):
            try checkDirections(count: k)
        }
        finish()
    }

    /// Values that differ at the same point beyond rounding are noise the bounds absorb; beyond
    /// 1e-4·|f| (a dropout mask, unseeded sampling) the objective is not a function to check.
    mutating func measuredSpread(_ spread: Double, value f0: Double) {
        let scale = max(abs(f0), 1e-300)
        noisy = spread > 1000 * objective.precision.unitRoundoff * scale
        nondeterministic = spread > 1e-4 * scale
        repeatSpread = spread
    }

    /// A stratified sample: each block is cut into `perBlock` equal strata and one entry is
    /// drawn from each (the whole block when it is smaller).
    mutating func sampleCoordinates(perBlock: Int) -> [Int] {
        var chosen = [Int]()
        for block in objective.blocks {
            if block.count <= perBlock {
                chosen.append(contentsOf: block.range)
                continue
            }
            for s in 0..<perBlock {
                let lo = block.count * s / perBlock, hi = block.count * (s + 1) / perBlock
                chosen.append(block.offset + lo + rng.nextInt(below: max(1, hi - lo)))
            }
        }
        return chosen
    }

    /// The block containing each coordinate, and each block's RMS analytic gradient.
    func blockOf(_ i: Int) -> Int {
        objective.blocks.firstIndex { $0.range.contains(i) }!
    }

    func blockScales() -> [Double] {
        objective.blocks.map { b in
            let s = gradient[b.range].reduce(0) { $0 + $1 * $1 }
            return (s / Double(max(1, b.count))).squareRoot()
        }
    }

    /// The nominal step for coordinate i.
    func nominalStep(_ i: Int) throws(EvaluationError) -> Double {
        let x = objective.point[i]
        switch configuration.step {
        case .fixed(let h):
            guard h.isFinite, h > 0 else { throw .invalidStep("the step must be a positive finite number, got \(h)") }
            return h
        case .relative(let h):
            guard h.isFinite, h > 0 else { throw .invalidStep("the step must be a positive finite number, got \(h)") }
            return h * max(1, abs(x))
        case .auto:
            return automaticStep(noise: sigma, value: report.value, precision: objective.precision, scale: abs(x))
        }
    }

    /// A central difference from two samples, with the steps actually taken.
    func difference(_ i: Int, _ h: Double, _ fPlus: Double, _ fMinus: Double) -> CentralDifference {
        let x = objective.point[i], p = objective.precision
        return CentralDifference(
            plus: p.representable(x + h) - x, minus: x - p.representable(x - h),
            fPlus: fPlus, fMinus: fMinus)
    }

    func requireFinite(_ samples: [Sample], coordinate i: Int) throws(EvaluationError) {
        if samples.contains(where: { !$0.value.isFinite }) {
            let b = objective.blocks[blockOf(i)]
            throw .nonFiniteValue(
                context:
                    "at a perturbed point (entry \(i - b.offset) of block \(b.name)) while finite at the point itself")
        }
    }

    /// Block-level evidence: a block none of whose entries fails alone, but whose entries
    /// together are one factor c ≠ 1 times the numerical ones (``BlockFits``: every entry within
    /// its bound of c·n, and |c − 1| beyond five times the uncertainty the bounds leave on c,
    /// over eight entries or more) fails: a uniform mistake each entry was too imprecise to
    /// show (a float32 block 1 % off). The diagnosis then names the `scale`.
    mutating func failUniformlyScaledBlocks(_ byBlock: [[EntryResult]]) {
        for bi in report.blocks.indices where report.blocks[bi].verdict != .fail {
            let entries = byBlock[bi].filter { $0.verdict != .kink }
            guard entries.count >= 8, let fit = BlockFits.scale(entries), fit.explains,
                abs(fit.factor - 1) > 5 * fit.uncertainty
            else { continue }
            report.blocks[bi].verdict = .fail
        }
    }

    /// Whether every checked entry of a block is zero within its bound, analytic and numeric
    /// alike (none failing): the cost does not depend on the block at this check's resolution.
    static func noEffect(_ block: ObjectiveBlock, _ entries: [EntryResult]) -> Bool {
        let judged = entries.filter { $0.verdict != .kink }
        return !judged.isEmpty
            && judged.allSatisfy {
                $0.verdict == .pass && abs($0.analytic) <= $0.bound && abs($0.numeric) <= $0.bound
            }
    }

    static func noEffectFinding(_ block: ObjectiveBlock) -> CheckFinding {
        CheckFinding(
            code: .noEffect,
            message:
                "The gradient of \(block.name) is zero within every entry's bound, analytic and numerical alike: the cost does not depend on it at this check's resolution (expected for a bias before a normalisation layer, or a parameter the cost never reads).",
            block: block.name)
    }

    /// pass / fail / inconclusive from the error, the bound, and the resolution.
    func classify(_ e: EntryResult, scale: Double) -> EntryVerdict {
        if e.error > e.bound { return .fail }
        let magnitude = max(abs(e.analytic), abs(e.numeric), scale)
        return e.bound <= configuration.resolution * magnitude ? .pass : .inconclusive
    }

    /// Block verdicts, anchors and the diagnosis.
    mutating func finish() {
        // An entry whose analytic and numerical values are both zero within its bound agrees
        // with the numerical derivative as far as the method can tell: it passes (a parameter
        // the cost does not depend on is not a reason for an inconclusive check).
        // Not when the objective is noisy: a gradient too small for the noise to let through is
        // undecided, not zero (and a nondeterministic objective's bounds measure nothing).
        for k in report.entries.indices where !noisy && !nondeterministic && report.entries[k].verdict == .inconclusive
        {
            let e = report.entries[k]
            if abs(e.analytic) <= e.bound && abs(e.numeric) <= e.bound { report.entries[k].verdict = .pass }
        }
        // Each block's entries, gathered in one pass.
        var byBlock = [[EntryResult]](repeating: [], count: objective.blocks.count)
        for e in report.entries { byBlock[e.blockIndex].append(e) }
        var blocks = [BlockResult]()
        for (bi, b) in objective.blocks.enumerated() {
            let entries = byBlock[bi]
            let failing = entries.filter { $0.verdict == .fail }.count
            let inconclusive = entries.filter { $0.verdict == .inconclusive }.count
            let verdict: CheckVerdict = failing > 0 ? .fail : inconclusive > 0 ? .inconclusive : .pass
            blocks.append(
                BlockResult(
                    name: b.name, shape: b.shape,
                    verdict: entries.isEmpty && report.directions.isEmpty ? .pass : verdict,
                    maxError: entries.map(\.error).max() ?? 0, failing: failing,
                    checked: entries.count, inconclusive: inconclusive,
                    kinks: entries.filter { $0.verdict == .kink }.count,
                    diagnosis: !noisy && !nondeterministic && Self.noEffect(b, entries)
                        ? [Self.noEffectFinding(b)] : [],
                    detectableRelativeError: detectableRelativeError(entries)))
        }
        // Whenever entries went unchecked (sample mode, or a partial merge of shards).
        let unchecked = objective.blocks.enumerated().contains { bi, b in blocks[bi].checked < b.count }
        if unchecked && report.directions.isEmpty {
            for (bi, b) in objective.blocks.enumerated() {
                let s = blocks[bi].checked
                blocks[bi].unseenProbability = Dictionary(
                    uniqueKeysWithValues: [1, 10].filter { $0 <= b.count }.map {
                        ($0, BlockResult.unseenProbability(entries: b.count, checked: s, confinedTo: $0))
                    })
            }
        }
        for bi in blocks.indices where blocks[bi].failing > 0 {
            blocks[bi].errorLaw = ErrorLaw.of(failing: byBlock[bi].filter { $0.verdict == .fail })
        }
        report.blocks = blocks
        let checked = report.entries
        report.anchors = AnchorFigures(analytic: checked.map(\.analytic), numeric: checked.map(\.numeric))
        if case .directional = configuration.mode {
            applyDirectionalVerdicts()
        } else if !noisy && !nondeterministic {
            failUniformlyScaledBlocks(byBlock)
        }
        report.verdict = CheckVerdict.combining(report.blocks.map(\.verdict))
        if noisy && !nondeterministic {
            report.diagnosis.append(
                CheckFinding(
                    code: .noisy,
                    message:
                        "The objective's value varies by \(shortNumber(repeatSpread)) between evaluations at the same point; the error bounds include that noise."
                ))
        }
        if nondeterministic {
            report.verdict = .fail
            report.diagnosis.append(
                CheckFinding(
                    code: .nondeterministic,
                    message:
                        "The objective gives different values at the same point (spread \(shortNumber(repeatSpread)), beyond 1e-4·|f|): finite differences are meaningless. Is dropout left on, or randomness unseeded?"
                ))
        }
        if configuration.diagnose {
            CheckDiagnosis.run(&report, objective: objective, gradient: gradient)
        }
        if let shard = configuration.shard { report.shardContext = shardContext(shard) }
    }
}
