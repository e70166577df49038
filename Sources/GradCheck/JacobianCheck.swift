/// A full Jacobian check for a vector-valued function F: ℝⁿ → ℝᵏ: each row k of the numerical
/// Jacobian (the gradient of Fₖ, by the calibrated engine) against the vector-Jacobian product
/// with the basis vector eₖ (eₖᵀJ), which is what a hand-written backward pass computes.
public struct JacobianReport: Sendable {
    public var verdict: CheckVerdict
    /// One gradient report per output k.
    public var rows: [GradientReport]
    public var diagnosis: [CheckFinding]
    /// Jacobians as [output][input].
    public var analytic: [[Double]]
    public var numeric: [[Double]]
    public var passed: Bool { verdict == .pass }
}

/// Checks `vjp(x, v) = vᵀ·J(x)` against numerical derivatives of `function` at `point`.
///
/// `blocks` names the parts of the input (one block `x` when `nil`); row k's blocks are then
/// reported as `∂Fk/∂name`.
public func checkJacobian(
    at point: [Double], outputs: Int, precision: Precision = .float64,
    configuration: CheckConfiguration = CheckConfiguration(),
    blocks: [ObjectiveBlock]? = nil,
    function: @escaping @Sendable ([Double]) -> [Double],
    vjp: @escaping @Sendable (_ x: [Double], _ cotangent: [Double]) -> [Double]
) -> JacobianReport {
    var rows = [GradientReport]()
    for k in 0..<outputs {
        var basis = [Double](repeating: 0, count: outputs)
        basis[k] = 1
        let e = basis
        let objective = ClosureObjective(
            point: point,
            blocks: (blocks ?? [ObjectiveBlock(name: "x", shape: [point.count], offset: 0)]).map {
                ObjectiveBlock(name: "∂F\(k)/∂\($0.name)", shape: $0.shape, offset: $0.offset, role: $0.role)
            },
            precision: precision,
            value: { function($0)[k] },
            valueAndGradient: { x in (function(x)[k], vjp(x, e)) })
        rows.append(check(objective, configuration: configuration))
    }
    let analytic = rows.map { $0.entries.map(\.analytic) }
    let numeric = rows.map { $0.entries.map(\.numeric) }
    var verdict = CheckVerdict.combining(rows.map(\.verdict))
    var diagnosis = [CheckFinding]()
    if verdict == .fail, outputs == point.count, isDiagonalOnly(analytic: analytic, numeric: numeric, rows: rows) {
        diagnosis.append(
            CheckFinding(
                code: .softmaxDiagonal,
                message:
                    "The analytic Jacobian is diagonal but the numerical one is not: its off-diagonal terms are missing (for softmax, J = diag(s) − s·sᵀ, so the VJP is s ⊙ (g − ⟨g, s⟩), not g ⊙ s(1 − s))."
            ))
    }
    if verdict == .fail {
        for (k, row) in rows.enumerated() where row.verdict == .fail {
            diagnosis.append(
                CheckFinding(code: .jacobianRow, message: "Row \(k) (∂F\(k)/∂x) fails.", block: "∂F\(k)/∂x"))
        }
    }
    if rows.contains(where: { $0.verdict == .error }) { verdict = .error }
    return JacobianReport(verdict: verdict, rows: rows, diagnosis: diagnosis, analytic: analytic, numeric: numeric)
}

/// The analytic Jacobian's off-diagonal entries are (near) zero where the numerical ones are
/// clearly not, while the diagonals agree.
func isDiagonalOnly(analytic: [[Double]], numeric: [[Double]], rows: [GradientReport]) -> Bool {
    var offDiagonalMissing = false
    for k in analytic.indices {
        for j in analytic[k].indices {
            let bound = rows[k].entries[j].bound
            if j == k {
                if abs(analytic[k][j] - numeric[k][j]) > max(bound, 1e-6 * abs(numeric[k][j])) * 10 {
                    // The diagonal may differ too when the whole VJP is wrong; s(1 − s) keeps it right.
                    return false
                }
            } else {
                if abs(analytic[k][j]) > 1e-12 * max(1, abs(numeric[k][j])) { return false }
                if abs(numeric[k][j]) > bound { offDiagonalMissing = true }
            }
        }
    }
    return offDiagonalMissing
}
