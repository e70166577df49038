import Foundation

/// A central difference D(h) = (f(x + h₊) − f(x − h₋)) / (h₊ + h₋) with the steps actually taken
/// (h± differ from the nominal h only by the rounding of x ± h to the objective's precision).
///
/// Error model (e.g. Nocedal & Wright, *Numerical Optimization*, §8.1): D(h) = f′(x) + h²f‴/6 +
/// O(h⁴) (truncation) + noise whose standard deviation is σ·√2/(2h) when each evaluation carries
/// independent noise of standard deviation σ (rounding and measured evaluation noise).
public struct CentralDifference: Sendable, Hashable {
    public var plus: Double, minus: Double
    public var fPlus: Double, fMinus: Double

    public init(plus: Double, minus: Double, fPlus: Double, fMinus: Double) {
        self.plus = plus; self.minus = minus; self.fPlus = fPlus; self.fMinus = fMinus
    }

    /// The effective step (h₊ + h₋)/2.
    public var step: Double { (plus + minus) / 2 }
    public var value: Double { (fPlus - fMinus) / (plus + minus) }
    /// The standard deviation of D from evaluation noise σ.
    public func noise(_ sigma: Double) -> Double { sigma * 2.0.squareRoot() / (plus + minus) }
}

/// Richardson extrapolation of two central differences at steps h₁ > h₂ (L. F. Richardson 1911;
/// as in numdifftools): with r = h₁/h₂, R = D₂ + (D₂ − D₁)/(r² − 1) cancels the h² term.
///
/// The error estimate is |D₂ − D₁|/(r² − 1), the size of the term removed — an estimate of D₂'s
/// truncation error, and so a conservative one of R's (whose own is O(h⁴)). Noise propagates as
/// sd(R)² = (1 + c)²·sd(D₂)² + c²·sd(D₁)² with c = 1/(r² − 1).
public struct RichardsonEstimate: Sendable, Hashable {
    public var estimate: Double
    public var truncation: Double
    public var noise: Double
    /// The smaller effective step.
    public var step: Double

    public init(coarse d1: CentralDifference, fine d2: CentralDifference, sigma: Double) {
        let r = d1.step / d2.step
        let c = 1 / (r * r - 1)
        estimate = d2.value + (d2.value - d1.value) * c
        truncation = abs(d2.value - d1.value) * c
        let s1 = d1.noise(sigma), s2 = d2.noise(sigma)
        noise = ((1 + c) * (1 + c) * s2 * s2 + c * c * s1 * s1).squareRoot()
        step = d2.step
    }

    /// The error bound: safety·(truncation + 2·noise) + floor. Two standard deviations of
    /// noise and a safety factor (default 3) over the truncation estimate, which itself can be
    /// off by a constant factor; `floor` covers the analytic gradient's own rounding.
    public func bound(safety: Double, floor: Double) -> Double {
        safety * (truncation + 2 * noise) + floor
    }
}

/// One-sided differences at a step s: F = (f(x + s) − f(x))/s and B = (f(x) − f(x − s))/s.
/// At a smooth point F − B ≈ s·f″ shrinks with s; across a kink it tends to the jump in f′.
public struct OneSidedDifferences: Sendable, Hashable {
    public var forward: Double, backward: Double, step: Double
    public init(center: Double, _ d: CentralDifference) {
        forward = (d.fPlus - center) / d.plus
        backward = (center - d.fMinus) / d.minus
        step = d.step
    }
    public var jump: Double { forward - backward }
    /// sd(F − B) for noise σ: (f₊ − 2f₀ + f₋)/s has sd σ·√6/s.
    public func jumpNoise(_ sigma: Double) -> Double { sigma * 6.0.squareRoot() / step }

    /// The black-box kink test at steps s and s/2: the one-sided differences disagree beyond
    /// their noise at both steps, the disagreement does not halve with the step (as it would
    /// at a smooth point), and each one-sided difference is itself stable.
    public static func indicateKink(coarse: OneSidedDifferences, fine: OneSidedDifferences, sigma: Double) -> Bool {
        let jf = abs(fine.jump), jc = abs(coarse.jump)
        guard jf > 4 * fine.jumpNoise(sigma), jc > 4 * coarse.jumpNoise(sigma) else { return false }
        guard jf > 0.75 * jc else { return false }
        let drift = max(abs(coarse.forward - fine.forward), abs(coarse.backward - fine.backward))
        return drift <= 0.25 * jf + 4 * fine.jumpNoise(sigma)
    }
}

/// The automatic nominal step for a coordinate of magnitude `scale`: h = ∛(3·σ_rel)·max(1, scale),
/// the central-difference optimum (3σ/|f‴|)^⅓ with |f‴| taken as |f|, where σ_rel = σ/|f| is the
/// measured relative noise, floored at the precision's unit roundoff (Nocedal & Wright §8.1).
func automaticStep(noise sigma: Double, value: Double, precision: Precision, scale: Double) -> Double {
    let relativeNoise = max(sigma / max(abs(value), 1e-300), precision.unitRoundoff)
    return Foundation.cbrt(3 * relativeNoise) * max(1, scale)
}
