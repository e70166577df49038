/// The noise level of a computed function, estimated from a difference table as in Moré & Wild,
/// "Estimating computational noise", SIAM J. Sci. Comput. 33(3), 2011 (their `ECnoise`).
///
/// f is sampled at x + (i − m/2)·δ·p for i = 0…m (m + 1 equally spaced points along a direction
/// p). For a smooth f plus noise of standard deviation σ, the k-th differences Δᵏf are dominated
/// by noise once δᵏ|f⁽ᵏ⁾| ≪ σ, and then E[(Δᵏf)²] = σ²·(2k)!/(k!)². The estimate at order k is
/// σₖ = √(γₖ · mean((Δᵏf)²)) with γₖ = (k!)²/(2k)!. ECnoise accepts σₖ when three consecutive
/// estimates σₖ, σₖ₊₁, σₖ₊₂ agree within a factor 4 and Δᵏf changes sign (noise, not a smooth
/// trend).
public enum NoiseEstimation {
    public enum Outcome: Sendable, Equatable {
        /// A noise level was found.
        case noise(Double)
        /// At least half the first differences are exactly zero: δ is too small.
        case stepTooSmall
        /// No order gave consistent estimates, or f varied by more than 10 %: δ is too large.
        case stepTooLarge
    }

    /// ECnoise on equally spaced samples (at least 4; Moré & Wild use 7 to 9).
    public static func estimate(_ samples: [Double]) -> Outcome {
        let nf = samples.count
        precondition(nf >= 4, "ECnoise needs at least 4 samples, got \(nf)")
        let maxOrder = min(6, nf - 1)
        let fmin = samples.min()!, fmax = samples.max()!
        if (fmax - fmin) > 0.1 * max(abs(fmax), abs(fmin)) { return .stepTooLarge }
        var table = samples
        var levels = [Double](), signChanges = [Bool]()
        var gamma = 1.0
        for k in 1...maxOrder {
            for i in 0..<(nf - k) { table[i] = table[i + 1] - table[i] }
            let diffs = table[0..<(nf - k)]
            if k == 1 && diffs.filter({ $0 == 0 }).count * 2 >= nf { return .stepTooSmall }
            gamma *= 0.5 * Double(k) / Double(2 * k - 1)
            levels.append((gamma * diffs.map { $0 * $0 }.reduce(0, +) / Double(diffs.count)).squareRoot())
            signChanges.append(diffs.min()! * diffs.max()! < 0)
        }
        for k in 0..<max(0, maxOrder - 2) {
            let window = levels[k...(k + 2)]
            if window.max()! <= 4 * window.min()! && signChanges[k] { return .noise(levels[k]) }
        }
        return .stepTooLarge
    }
}
