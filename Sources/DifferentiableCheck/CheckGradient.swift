import _Differentiation
import GradCheck

/// Checks the gradient Swift's compiler computes for a scalar-valued function against
/// calibrated numerical derivatives: the `@derivative(of:)` registrations it uses, the
/// derivatives it synthesises, and the compiler itself.
///
/// ```swift
/// let report = checkGradient(of: { (x: [Double]) in logSumExp(x) }, at: [0.3, -1.2, 2.0])
/// print(TextReport(title: "logSumExp").render(report))
/// #expect(report.passed)
/// ```
///
/// Each entry of the gradient is compared with a Richardson-extrapolated central difference
/// and passes when the difference is within the error bound the numerical method estimates
/// for itself (truncation + measured noise; see `RichardsonEstimate`). A failing
/// block is diagnosed (sign, scale, transpose, zero gradient, concentrated rows or columns).
///
/// - Parameters:
///   - f: a `@differentiable(reverse)` function of one argument. Bundle several arguments in
///     one struct: a differentiable closure of two or more parameters passed through a generic
///     function crashes this compiler.
///   - x: the point to check at.
///   - name: the name of a leaf's block (default `x`) or a prefix for a struct's blocks.
///   - configuration: mode, step, seed and safety factor (`CheckConfiguration`).
/// - Returns: the report; `GradientReport.passed` says whether it passed.
/// - Complexity: about 4n + 20 evaluations of f and one pullback for n scalars in `full` mode.
public func checkGradient<T: CheckableDifferentiable, R: CheckableScalar>(
    of f: @escaping @Sendable @differentiable(reverse) (T) -> R, at x: T, name: String? = nil,
    configuration: CheckConfiguration = CheckConfiguration()
) -> GradientReport {
    check(reverseModeObjective(of: f, at: x, name: name), configuration: configuration)
}
