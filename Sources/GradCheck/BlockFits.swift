import Foundation

/// The block-level evidence behind the `scale`, `sign` and `regularisation` findings: least-
/// squares fits of the analytic gradient against the numerical one, judged against each
/// entry's own error bound (not a fixed tolerance), with the uncertainty the bounds give.
///
/// With n = t + e, |e| ≤ b (the numerical derivative within its bound of the true t):
///
/// - scale: a ≈ c·t. c = Σaₙ·n/Σn², and σ_c = √(Σ(c·n·b)²)/Σn² bounds how far the bounds let c
///   move. The fit explains the block when |aᵢ − c·nᵢ| ≤ max(|c|, 1)·bᵢ for every entry, and c
///   differs from 1 when |c − 1| > 3σ_c (and from 0: a zero factor is a missing gradient).
/// - parameters: a − n ≈ c·θ (an L2 term λ/m·θ on one side only). Needs two entries or more;
///   explains them when |dᵢ − c·θᵢ| ≤ bᵢ for each, and only when it beats a constant offset
///   (half its residual at most) and c ≠ 0 beyond 3σ_c.
struct BlockFits {
    struct Scale {
        var factor: Double
        var uncertainty: Double
        /// Every entry within its bound of c·n.
        var explains: Bool
        /// c ≠ 1 and c ≠ 0 beyond the uncertainty (a factor of 0 is a `zero-gradient`).
        var differsFromOne: Bool { explains && abs(factor - 1) > 3 * uncertainty && abs(factor) > 3 * uncertainty }
        /// c = −1 within the uncertainty: a `sign`, not a `scale`.
        var isSignFlip: Bool { abs(factor + 1) <= max(3 * uncertainty, 1e-12) }
        /// c with the digits its uncertainty supports: "1.00126 ± 3e-06", "5 ± 2e-09".
        var text: String { BlockFits.withUncertainty(factor, uncertainty) }
    }

    struct Parameters {
        var coefficient: Double
        var uncertainty: Double
        var explains: Bool
    }

    static func scale(_ entries: [EntryResult]) -> Scale? {
        let n = entries.map(\.numeric), a = entries.map(\.analytic), b = entries.map(\.bound)
        let nn = n.reduce(0) { $0 + $1 * $1 }
        guard nn > 0, b.allSatisfy(\.isFinite) else { return nil }
        let c = zip(a, n).reduce(0) { $0 + $1.0 * $1.1 } / nn
        let spread = zip(n, b).reduce(0) { $0 + ($1.0 * $1.1) * ($1.0 * $1.1) }.squareRoot()
        let sigma = max(abs(c), 1) * spread / nn
        let explains = entries.indices.allSatisfy { abs(a[$0] - c * n[$0]) <= max(abs(c), 1) * b[$0] }
        return Scale(factor: c, uncertainty: sigma, explains: explains)
    }

    static func parameters(_ entries: [EntryResult], theta: [Double]) -> Parameters? {
        guard entries.count >= 2, entries.count == theta.count else { return nil }
        let d = entries.map { $0.analytic - $0.numeric }, b = entries.map(\.bound)
        let tt = theta.reduce(0) { $0 + $1 * $1 }
        guard tt > 0, b.allSatisfy(\.isFinite) else { return nil }
        let c = zip(d, theta).reduce(0) { $0 + $1.0 * $1.1 } / tt
        let sigma = zip(theta, b).reduce(0) { $0 + ($1.0 * $1.1) * ($1.0 * $1.1) }.squareRoot() / tt
        let residual = zip(d, theta).reduce(0) { $0 + ($1.0 - c * $1.1) * ($1.0 - c * $1.1) }
        let mean = d.reduce(0, +) / Double(d.count)
        let constant = d.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        let withinBounds = d.indices.allSatisfy { abs(d[$0] - c * theta[$0]) <= b[$0] }
        let explains = withinBounds && residual <= 0.5 * constant && abs(c) > 3 * sigma
        return Parameters(coefficient: c, uncertainty: sigma, explains: explains)
    }

    /// a − n ≈ k, one constant on every entry: k = mean(a − n), σ_k = √(Σb²)/N. Explains the
    /// entries (two or more) when each is within its bound of k, and k ≠ 0 beyond 3σ_k.
    static func offset(_ entries: [EntryResult]) -> (value: Double, uncertainty: Double)? {
        guard entries.count >= 2, entries.allSatisfy({ $0.bound.isFinite }) else { return nil }
        let d = entries.map { $0.analytic - $0.numeric }
        let k = d.reduce(0, +) / Double(d.count)
        let sigma = entries.reduce(0) { $0 + $1.bound * $1.bound }.squareRoot() / Double(entries.count)
        let explains = zip(d, entries).allSatisfy { abs($0 - k) <= $1.bound }
        return explains && abs(k) > 3 * sigma ? (k, sigma) : nil
    }

    /// x ± u with the digits u supports (trailing zeros dropped): "1.00126 ± 3e-06".
    static func withUncertainty(_ x: Double, _ u: Double) -> String {
        guard u > 0, u.isFinite, x.isFinite else { return shortNumber(x) }
        let decimals = min(15, max(0, Int((-log10(u)).rounded(.up))))
        var digits = String(format: "%.\(decimals)f", x)
        if digits.contains(".") {
            while digits.hasSuffix("0") { digits.removeLast() }
            if digits.hasSuffix(".") { digits.removeLast() }
        }
        return "\(digits) ± \(String(format: "%.0e", u))"
    }
}
