import Foundation

/// Names the pattern of a failing (output, input) pair of a vector-valued check, reading its
/// entries as the matrix J[r, i] (r: a row — an output entry, or a random projection; i: an
/// input entry). Reuses the scalar diagnosis's fits where the maths is the same.
///
/// - `diagonal-only` (full Jacobian, square pair): the analytic off-diagonal entries are zero
///   where the numerical ones are not, and the diagonal agrees — softmax's classic mistake
///   (J = diag(s) − s·sᵀ, whose VJP is s ⊙ (g − ⟨g, s⟩), not g ⊙ s(1 − s)).
/// - `transpose` (full Jacobian, 2-D view): a ≈ nᵀ.
/// - `scale` / `sign`: a ≈ c·n over the whole pair.
/// - `zero-gradient`: the analytic values are exactly 0 where the numerical ones are not.
/// - `single-entry`, `concentrated`: the failures sit in one entry, or in few rows (outputs)
///   or columns (inputs).
enum JacobianDiagnosis {
    static func findings(
        _ entries: [EntryResult], name: String, rows: Int, columns: Int, full: Bool,
        output: String, input: String
    ) -> [CheckFinding] {
        var out = [CheckFinding]()
        func add(_ code: CheckFinding.Code, _ message: String) {
            out.append(CheckFinding(code: code, message: message, block: name))
        }
        let usable = entries.filter { $0.verdict != .kink }
        let failing = usable.filter { $0.verdict == .fail }
        guard !failing.isEmpty else { return out }
        let a = usable.map(\.analytic), n = usable.map(\.numeric)
        let complete = full && usable.count == rows * columns

        if complete, rows == columns, rows > 1, isDiagonalOnly(usable, size: rows) {
            add(
                .diagonalOnly,
                "The analytic Jacobian \(name) is diagonal but the numerical one is not: its off-diagonal terms are missing. For softmax, J = diag(s) − s·sᵀ, so the VJP is s ⊙ (g − ⟨g, s⟩), not g ⊙ s ⊙ (1 − s)."
            )
        } else if failing.count == 1, usable.count > 1 {
            let e = failing[0]
            add(
                .singleEntry,
                "Only entry \(position(e.index, columns: columns, full: full)) of \(name) is wrong: analytic \(shortNumber(e.analytic)), numeric \(shortNumber(e.numeric))."
            )
        }
        let zeroed = failing.filter { $0.analytic == 0 && abs($0.numeric) > $0.bound }
        if !out.contains(where: { $0.code == .diagonalOnly }), Double(zeroed.count) >= 0.8 * Double(failing.count),
            failing.count > 1
        {
            add(
                .zeroGradient,
                "The vector-Jacobian product is exactly 0 where the numerical derivative is not (\(zeroed.count) of \(failing.count) failing entries): a missing term, or a gradient that is not accumulated."
            )
        }
        if let c = explainingScale(usable) {
            if abs(c + 1) < 0.01 {
                add(
                    .sign,
                    "The vector-Jacobian product for \(name) is the numerical one with the sign flipped (a ≈ −n).")
            } else {
                add(
                    .scale,
                    "The vector-Jacobian product for \(name) is \(scaleText(c)) × the numerical one\(CheckDiagnosis.nameScale(c, examples: nil))."
                )
            }
        }
        if complete, CheckDiagnosis.isTransposed(a: a, n: n, entries: usable, shape: [rows, columns]) {
            add(
                .transpose,
                "The vector-Jacobian product for \(name) matches the numerical Jacobian transposed: the backward pass multiplies by J where Jᵀ is needed (a matrix product with its operands' roles swapped)."
            )
        }
        if full, !out.contains(where: { [CheckFinding.Code.singleEntry, .diagonalOnly].contains($0.code) }),
            let where_ = CheckDiagnosis.concentration(failing: failing, entries: usable, shape: [rows, columns])
        {
            add(.concentrated, where_ + " (rows are entries of \(output), columns entries of \(input).)")
        }
        return out
    }

    /// One sentence for a pattern every failing pair shares.
    static func acrossPairs(_ blocks: [BlockResult]) -> [CheckFinding] {
        let failing = blocks.filter { $0.verdict == .fail }
        guard failing.count > 1 else { return [] }
        var out = [CheckFinding]()
        for code in [CheckFinding.Code.diagonalOnly, .sign, .transpose]
        where failing.allSatisfy({ $0.diagnosis.contains { $0.code == code } }) {
            out.append(
                CheckFinding(
                    code: code,
                    message:
                        "Every failing pair (\(failing.map(\.name).joined(separator: ", "))) shows the \(code) pattern: one mistake in the backward pass, not \(failing.count)."
                ))
        }
        return out
    }

    /// The least-squares c in a ≈ c·n when it explains every entry within its bound (and the
    /// entries failed, so c ≠ 1 matters); nil otherwise.
    static func explainingScale(_ entries: [EntryResult]) -> Double? {
        let nn = entries.reduce(0) { $0 + $1.numeric * $1.numeric }
        guard nn > 0 else { return nil }
        let c = entries.reduce(0) { $0 + $1.analytic * $1.numeric } / nn
        guard c.isFinite, c != 1 else { return nil }
        return entries.allSatisfy({ abs($0.analytic - c * $0.numeric) <= $0.bound }) ? c : nil
    }

    static func isDiagonalOnly(_ entries: [EntryResult], size: Int) -> Bool {
        var offDiagonalMissing = false
        for e in entries {
            let (r, i) = (e.index / size, e.index % size)
            if r == i {
                if e.error > max(e.bound, 1e-6 * abs(e.numeric)) * 10 { return false }
            } else {
                if abs(e.analytic) > 1e-12 * max(1, abs(e.numeric)) { return false }
                if abs(e.numeric) > e.bound { offDiagonalMissing = true }
            }
        }
        return offDiagonalMissing
    }

    static func position(_ index: Int, columns: Int, full: Bool) -> String {
        full
            ? "[row \(index / columns), input \(index % columns)]"
            : "[projection \(index / columns), input \(index % columns)]"
    }

    /// c with as many digits as set it apart from 1.
    static func scaleText(_ c: Double) -> String {
        let gap = abs(c - 1)
        let digits = gap > 0 ? max(3, min(12, Int((-gap.log10()).rounded(.up)) + 2)) : 3
        return String(format: "%.\(digits)g", c)
    }
}

private extension Double {
    func log10() -> Double { Foundation.log10(self) }
}
