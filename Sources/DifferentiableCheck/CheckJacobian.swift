import _Differentiation
import GradCheck

/// Checks the Jacobian Swift's reverse mode computes for a vector-valued function, one row at a
/// time: row k is the pullback of the basis cotangent eₖ (eₖᵀJ, what a backward pass computes),
/// compared with the numerical gradient of output k.
///
/// A pullback that keeps only the Jacobian's diagonal (softmax's classic mistake) is
/// diagnosed as `softmax-diagonal`; each failing row is named (`jacobian-row`).
///
/// - Parameters:
///   - f: a `@differentiable(reverse)` function from a checkable value to a checkable value
///     (`[Double] → [Double]`, `SIMD4<Float> → SIMD4<Float>`, a struct to an array, …).
///   - x: the point to check at.
///   - name: the name of the input's leaf block (default `x`) or a prefix for its fields.
/// - Returns: one `GradientReport` per output, their combined verdict and findings.
/// - Complexity: one check per output: about m·(4n + 20) evaluations for m outputs.
public func checkJacobian<T: CheckableDifferentiable, U: CheckableDifferentiable>(
    of f: @escaping @Sendable @differentiable(reverse) (T) -> U, at x: T, name: String? = nil,
    configuration: CheckConfiguration = CheckConfiguration()
) -> JacobianReport {
    let y = f(x)
    return checkJacobian(
        at: x.checkScalars, outputs: y.checkCount,
        precision: combinedPrecision(x.checkPrecision, y.checkPrecision),
        configuration: configuration, blocks: x.objectiveBlocks(rootName: name),
        function: { scalars in f(x.replacingCheckScalars(scalars[...])).checkScalars },
        vjp: { scalars, cotangent in
            let p = x.replacingCheckScalars(scalars[...])
            let (value, pullback) = valueWithPullback(at: p, of: f)
            return p.checkScalars(ofTangent: pullback(value.checkTangent(cotangent[...])))
        })
}
