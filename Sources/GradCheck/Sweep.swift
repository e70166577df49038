import Foundation

/// The error of a central difference against the analytic derivative as the step h runs from
/// 1e-1 down to 1e-14: the V-shaped curve that answers "how close is close enough".
///
/// For large h truncation dominates, |D(h) − f′| ≈ h²|f‴|/6; for small h rounding and noise
/// dominate, ≈ σ/h. The guide lines use the checker's measured σ and an |f‴| estimated from
/// D at two steps near the chosen one. A correct gradient's curve touches the bottom of the V;
/// a wrong one flattens out at the size of the mistake.
public struct SweepResult: Sendable {
    public struct Curve: Sendable {
        public var block: String
        public var index: Int
        public var coordinate: Int
        public var analytic: Double
        /// (h, |D(h) − analytic|) for each step.
        public var points: [(step: Double, error: Double)]
        /// The checker's chosen (nominal) step for this coordinate.
        public var chosenStep: Double
        /// |f‴| estimated from D(h) at h = 1e-2 and 10^(−2.5), where truncation dominates:
        /// D(h₁) − D(h₂) ≈ (h₁² − h₂²)·f‴/6.
        public var thirdDerivative: Double
    }
    public var curves: [Curve]
    public var noise: Double
    public var evaluations: Int
}

/// The default steps: 10^(−1), 10^(−1.5), …, 10^(−14).
public let sweepSteps: [Double] = stride(from: -1.0, through: -14.0, by: -0.5).map { Foundation.pow(10, $0) }

/// Sweeps the steps for the given coordinates of an objective (default: the worst entries of
/// `report`, or the first coordinate).
public func sweep(
    _ objective: some GradientObjective, coordinates: [Int], report: GradientReport,
    steps: [Double] = sweepSteps
) throws(EvaluationError) -> SweepResult {
    let (_, gradient) = try objective.valueAndGradient()
    guard gradient.count == objective.point.count else {
        throw .wrongGradientLength(expected: objective.point.count, got: gradient.count)
    }
    var curves = [SweepResult.Curve]()
    var evaluations = 1
    let p = objective.precision
    let x = objective.point
    for i in coordinates {
        let chosen = automaticStep(noise: report.noise, value: report.value, precision: p, scale: abs(x[i]))
        var offsets = [Perturbation]()
        let probes = [1e-2, Foundation.pow(10, -2.5)]
        for h in steps + probes { offsets += [.coordinate(i, h), .coordinate(i, -h)] }
        let samples = try objective.values(at: offsets)
        evaluations += offsets.count
        func d(_ k: Int, _ h: Double) -> Double {
            let plus = p.representable(x[i] + h) - x[i], minus = x[i] - p.representable(x[i] - h)
            guard plus + minus > 0 else { return .nan }
            return (samples[2 * k].value - samples[2 * k + 1].value) / (plus + minus)
        }
        let points = steps.enumerated().map { k, h in (step: h, error: abs(d(k, h) - gradient[i])) }
        let d1 = d(steps.count, probes[0]), d2 = d(steps.count + 1, probes[1])
        let third = abs(d1 - d2) * 6 / (probes[0] * probes[0] - probes[1] * probes[1])
        let block = objective.blocks.first { $0.range.contains(i) }!
        curves.append(
            .init(
                block: block.name, index: i - block.offset, coordinate: i, analytic: gradient[i],
                points: points, chosenStep: chosen, thirdDerivative: third))
    }
    return SweepResult(curves: curves, noise: report.noise, evaluations: evaluations)
}
