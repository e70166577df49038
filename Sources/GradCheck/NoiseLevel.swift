import Foundation
import TensorCore

/// The measured noise level of an objective at its point.
struct NoiseLevel: Sendable {
    var sigma: Double
    var source: String
    var evaluations: Int

    /// ECnoise (``NoiseEstimation``) on 9 samples along a random unit direction, retrying with a
    /// larger or smaller spacing as Moré & Wild advise; falls back to u·|f| from the precision.
    /// The result is never below u·|f| (the rounding of f itself) nor below the spread of
    /// repeated evaluations at the point.
    static func measure(
        _ objective: some GradientObjective, value f0: Double, spread: Double,
        rng: inout PRNG
    ) throws(EvaluationError) -> NoiseLevel {
        let n = objective.point.count
        let u = objective.precision.unitRoundoff
        let floor = max(u * abs(f0), spread, Double.leastNormalMagnitude)
        var direction = (0..<n).map { _ in rng.next() & 1 == 0 ? 1.0 : -1.0 }
        let norm = Double(n).squareRoot()
        direction = direction.map { $0 / norm }
        let scale = max(1, objective.point.map(abs).max() ?? 0)
        var delta = (objective.precision == .float32 ? 1e-3 : 1e-6) * scale
        var evaluations = 0
        for _ in 0..<4 {
            let offsets = (0...8).map { i in Perturbation.along(direction, scale: Double(i - 4) * delta) }
            let samples = try objective.values(at: offsets)
            evaluations += offsets.count
            let values = samples.map(\.value)
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw .nonFiniteValue(
                    context: "while measuring noise (sample \(bad) along a random direction, spacing \(delta))")
            }
            switch NoiseEstimation.estimate(values) {
            case .noise(let sigma):
                return NoiseLevel(
                    sigma: max(sigma, floor), source: "ECnoise (Moré & Wild 2011), spacing \(shortNumber(delta))",
                    evaluations: evaluations)
            case .stepTooSmall: delta *= 100
            case .stepTooLarge: delta /= 100
            }
        }
        return NoiseLevel(
            sigma: max(4 * u * abs(f0), floor),
            source: "4·u·|f| from the precision (ECnoise found no consistent level)", evaluations: evaluations)
    }
}

/// A compact number for messages and tables: 3 significant digits (`%.3g`).
public func shortNumber(_ x: Double) -> String {
    x.isFinite ? String(format: "%.3g", x) : "\(x)"
}
