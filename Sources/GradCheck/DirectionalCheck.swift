import Foundation
import TensorCore

/// Directional mode: g·v against the directional derivative of f along random directions v,
/// in 4 evaluations per direction; on failure, group testing over blocks (directions restricted
/// to halves of the failing group, recursively) localises the guilty blocks.
///
/// Each direction is a Rademacher vector (±1 entries) on the chosen blocks, scaled to unit
/// length. With the steps actually taken δ± = repr(x ± h·v) − x (they differ from ±h·v only by
/// rounding to the objective's precision), the mismatch e(h) = (f(x + δ₊) − f(x − δ₋))/2h −
/// g·(δ₊ + δ₋)/2h is extrapolated to h → 0 by Richardson. The noise comes from the five
/// equally spaced values at −h, −h/2, 0, h/2, h (σ ≈ |Δ⁴f|/√70, Moré & Wild's γ₄), floored at
/// u·|f| and the spread of repeated evaluations.
extension CheckRun {
    mutating func checkDirections(count: Int) throws(EvaluationError) {
        var failingGroups = [[Int]]()
        let all = Array(objective.blocks.indices)
        var anyFailed = false
        for _ in 0..<max(1, count) {
            let result = try testDirection(blocks: all)
            report.directions.append(result)
            if result.verdict == .fail { anyFailed = true }
        }
        if anyFailed {
            try localise(all, into: &failingGroups)
        }
        localisedFailures = failingGroups.flatMap { $0 }
    }

    /// Halves a failing group until single blocks remain.
    mutating func localise(_ group: [Int], into failing: inout [[Int]]) throws(EvaluationError) {
        if group.count == 1 {
            failing.append(group)
            return
        }
        let halves = [Array(group[..<(group.count / 2)]), Array(group[(group.count / 2)...])]
        for half in halves {
            let result = try testDirection(blocks: half)
            report.directions.append(result)
            if result.verdict == .fail { try localise(half, into: &failing) }
        }
    }

    mutating func testDirection(blocks chosen: [Int]) throws(EvaluationError) -> DirectionResult {
        let n = objective.point.count
        var v = [Double](repeating: 0, count: n)
        var support = 0
        for bi in chosen {
            for i in objective.blocks[bi].range { v[i] = rng.next() & 1 == 0 ? 1 : -1; support += 1 }
        }
        let norm = Double(max(1, support)).squareRoot()
        for i in v.indices { v[i] /= norm }
        let x = objective.point
        let p = objective.precision
        let scale = chosen.flatMap { objective.blocks[$0].range }.map { abs(x[$0]) }.max() ?? 0
        var h: Double
        switch configuration.step {
        case .fixed(let fixed):
            guard fixed.isFinite, fixed > 0 else {
                throw .invalidStep("the step must be a positive finite number, got \(fixed)")
            }
            h = fixed
        case .relative(let relative):
            guard relative.isFinite, relative > 0 else {
                throw .invalidStep("the step must be a positive finite number, got \(relative)")
            }
            h = relative * max(1, scale)
        case .auto: h = automaticStep(noise: sigma, value: report.value, precision: p, scale: scale)
        }
        let samples = try values([
            .along(v, scale: h), .along(v, scale: -h), .along(v, scale: h / 2), .along(v, scale: -h / 2)
        ])
        .map(\.value)
        if samples.contains(where: { !$0.isFinite }) {
            throw .nonFiniteValue(
                context: "at a perturbed point along a random direction (step \(h)) while finite at the point itself")
        }
        // g·δ for the displacements actually taken.
        func projected(_ s: Double) -> Double {
            var dot = 0.0
            for i in v.indices where v[i] != 0 { dot += gradient[i] * (p.representable(x[i] + s * v[i]) - x[i]) }
            return dot
        }
        let e1 = ((samples[0] - samples[1]) - (projected(h) - projected(-h))) / (2 * h)
        let e2 = ((samples[2] - samples[3]) - (projected(h / 2) - projected(-h / 2))) / h
        let extrapolated = e2 + (e2 - e1) / 3
        let truncation = abs(e2 - e1) / 3
        // Δ⁴ over the stencil −h, −h/2, 0, h/2, h.
        let stencil = [samples[1], samples[3], baseValue, samples[2], samples[0]]
        let d4 = stencil[0] - 4 * stencil[1] + 6 * stencil[2] - 4 * stencil[3] + stencil[4]
        let localSigma = max(sigma, abs(d4) / 70.0.squareRoot())
        let sd1 = localSigma * 2.0.squareRoot() / (2 * h), sd2 = localSigma * 2.0.squareRoot() / h
        let noise = ((4.0 / 3) * (4.0 / 3) * sd2 * sd2 + sd1 * sd1 / 9).squareRoot()
        var analytic = 0.0
        for i in v.indices where v[i] != 0 { analytic += gradient[i] * v[i] }
        let bound =
            configuration.safetyFactor * (truncation + 2 * noise)
            + 8 * p.unitRoundoff * gradient.map(abs).reduce(0, +) / Double(max(1, support)).squareRoot()
        let numeric = analytic + extrapolated
        let error = abs(extrapolated)
        let verdict: EntryVerdict
        if error > bound {
            verdict = .fail
        } else {
            verdict =
                bound <= configuration.resolution * max(abs(analytic), abs(numeric), 1e-300) ? .pass : .inconclusive
        }
        return DirectionResult(
            blocks: chosen.map { objective.blocks[$0].name }, analytic: analytic,
            numeric: numeric, bound: bound, verdict: verdict)
    }

    /// Block verdicts from the directional tests: the blocks group testing isolated fail; when
    /// the full-support directions were inconclusive, every block is inconclusive.
    mutating func applyDirectionalVerdicts() {
        let overall = report.directions.filter { $0.blocks.count == objective.blocks.count }
        let inconclusive = overall.contains { $0.verdict == .inconclusive }
        for bi in report.blocks.indices {
            // The directions through this block: how many fail, and their largest gap.
            let through = report.directions.filter { $0.blocks.contains(report.blocks[bi].name) }
            report.blocks[bi].maxError = through.map { abs($0.analytic - $0.numeric) }.max() ?? 0
            if localisedFailures.contains(bi) {
                report.blocks[bi].verdict = .fail
                report.blocks[bi].failing = Swift.max(1, through.filter { $0.verdict == .fail }.count)
            } else {
                report.blocks[bi].verdict = inconclusive ? .inconclusive : .pass
            }
        }
        if overall.contains(where: { $0.verdict == .fail }) && localisedFailures.isEmpty {
            // A failure that no restricted direction reproduced: blame the whole objective.
            for bi in report.blocks.indices { report.blocks[bi].verdict = .fail }
        }
        let numeric = report.directions.map(\.numeric), analytic = report.directions.map(\.analytic)
        report.anchors = AnchorFigures(analytic: analytic, numeric: numeric)
    }
}
