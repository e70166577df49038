import _Differentiation
import GradCheck

/// The objective the checker sees for a scalar-valued differentiable function f at x: the
/// value f(x′) at perturbed points x′ (by calling f), and the gradient Swift's reverse mode
/// computes, `pullback(1)` from `valueWithPullback(at:of:)`, flattened into x's blocks.
///
/// Everything the checker does for a hand-written gradient (the error model, the verdicts, the
/// diagnosis, `TextReport` and `JSONReport`) applies unchanged.
///
/// - Parameters:
///   - f: the function. It is called from several threads at once for the perturbed points.
///   - x: the point; its ``CheckableDifferentiable/checkLayout`` names the blocks.
///   - name: the root name: a leaf's block name (default `x`), or a prefix for a struct's
///     field blocks.
/// - Returns: an objective whose precision is `float32` when x or f's result is a `Float`.
public func reverseModeObjective<T: CheckableDifferentiable, R: CheckableScalar>(
    of f: @escaping @Sendable @differentiable(reverse) (T) -> R, at x: T, name: String? = nil,
    exampleCount: Int? = nil
) -> ClosureObjective {
    ClosureObjective(
        point: x.checkScalars, blocks: x.objectiveBlocks(rootName: name),
        precision: combinedPrecision(x.checkPrecision, R.scalarPrecision), exampleCount: exampleCount,
        value: { scalars in Double(f(x.replacingCheckScalars(scalars[...]))) },
        valueAndGradient: { scalars in
            let p = x.replacingCheckScalars(scalars[...])
            let (value, pullback) = valueWithPullback(at: p, of: f)
            return (Double(value), p.checkScalars(ofTangent: pullback(1)))
        })
}

/// `float32` when either precision is.
func combinedPrecision(_ a: Precision, _ b: Precision) -> Precision {
    a == .float32 || b == .float32 ? .float32 : .float64
}
