import TensorCore

/// Checks of a vector-Jacobian product that need no finite differences, because they hold for
/// every correct VJP whatever the function: c ↦ cᵀJ is a linear map of the cotangent.
///
/// - `vjp-zero-cotangent`: 0ᵀJ = 0.
/// - `vjp-nonlinear`: (αc)ᵀJ = α·cᵀJ and (c₁ + c₂)ᵀJ = c₁ᵀJ + c₂ᵀJ.
/// - `vjp-not-reentrant`: the same call twice gives the same result (a backward pass that
///   accumulates into a buffer it never clears, or keeps state between calls, does not).
/// - `vjp-wrong-shape`: the product has n entries, one per input entry.
///
/// Tolerance: √u·(‖terms‖∞ summed), with u the unit roundoff: far above the rounding of a
/// correct VJP (≈ u·cond), far below the O(1) relative violations these mistakes make.
enum VJPStructure {
    struct Outcome {
        var findings: [CheckFinding]
        var wrongShape: Bool
        /// F(x), from the first pullback.
        var base: [Double]
        var pullbacks: Int
    }

    /// The scale factor α: not a power of two, so that a VJP that ignores the cotangent's size
    /// cannot pass by exact rounding.
    static let alpha = 2.5

    static func check(_ objective: some VectorObjective, rng: inout PRNG) throws(EvaluationError) -> Outcome {
        let m = objective.outputCount, n = objective.point.count
        let c1 = (0..<m).map { _ in rng.nextNormal() }
        let c2 = (0..<m).map { _ in rng.nextNormal() }
        let zero = [Double](repeating: 0, count: m)
        let cotangents = [c1, c1.map { alpha * $0 }, c2, zip(c1, c2).map(+), zero, c1]
        let results = try objective.pullbacks(cotangents)
        guard results.count == cotangents.count else {
            throw .failed("the program returned \(results.count) answers for \(cotangents.count) pullbacks")
        }
        let base = results[0].value
        guard base.count == m else {
            throw .failed("the program returned \(base.count) outputs, but its hello announced \(m)")
        }
        if let bad = base.firstIndex(where: { !$0.isFinite }) {
            throw .nonFiniteValue(context: "at the point to check (output entry \(bad))")
        }
        var findings = [CheckFinding]()
        let lengths = Set(results.map(\.gradient.count))
        if lengths != [n] {
            let got = lengths.sorted().map(String.init).joined(separator: " or ")
            findings.append(
                CheckFinding(
                    code: .vjpWrongShape,
                    message:
                        "The vector-Jacobian product has \(got) entries; the inputs have \(n). The backward pass must return one gradient entry per input entry (blocks in order, each flattened row-major)."
                ))
            return Outcome(findings: findings, wrongShape: true, base: base, pullbacks: results.count)
        }
        let g = results.map(\.gradient)
        for row in g {
            if let bad = row.firstIndex(where: { !$0.isFinite }) { throw .nonFiniteGradient(index: bad) }
        }
        let tolerance = objective.precision.unitRoundoff.squareRoot()
        func norm(_ v: [Double]) -> Double { v.map(abs).max() ?? 0 }
        func differs(_ a: [Double], _ b: [Double], scale: Double) -> Double? {
            let d = norm(zip(a, b).map(-))
            return d > tolerance * scale ? d : nil
        }
        let typical = max(norm(g[0]), norm(g[2]), Double.leastNormalMagnitude)
        if norm(g[4]) > tolerance * typical {
            findings.append(
                CheckFinding(
                    code: .vjpZeroCotangent,
                    message:
                        "A zero cotangent gives a nonzero vector-Jacobian product (largest entry \(shortNumber(norm(g[4])))): the backward pass adds something that does not come from the incoming gradient."
                ))
        }
        let scaled = differs(g[1], g[0].map { alpha * $0 }, scale: alpha * norm(g[0]) + norm(g[1]))
        let added = differs(g[3], zip(g[0], g[2]).map(+), scale: norm(g[0]) + norm(g[2]) + norm(g[3]))
        if scaled != nil || added != nil {
            var parts = [String]()
            if let scaled { parts.append("(\(alpha)·c)ᵀJ differs from \(alpha)·cᵀJ by \(shortNumber(scaled))") }
            if let added { parts.append("(c₁ + c₂)ᵀJ differs from c₁ᵀJ + c₂ᵀJ by \(shortNumber(added))") }
            findings.append(
                CheckFinding(
                    code: .vjpNonlinear,
                    message:
                        "The vector-Jacobian product is not linear in the cotangent: \(parts.joined(separator: "; ")). A backward pass must scale the incoming gradient, not replace, square or normalise it."
                ))
        }
        if let d = differs(g[5], g[0], scale: norm(g[0]) + norm(g[5])) {
            findings.append(
                CheckFinding(
                    code: .vjpNotReentrant,
                    message:
                        "Two identical calls of the backward pass gave results that differ by \(shortNumber(d)): it keeps state between calls (a gradient buffer that is accumulated into and never cleared, or saved tensors modified in place)."
                ))
        }
        return Outcome(findings: findings, wrongShape: false, base: base, pullbacks: results.count)
    }
}
