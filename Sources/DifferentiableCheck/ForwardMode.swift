import _Differentiation
import GradCheck

/// Checks the derivatives Swift's **forward mode** computes for a scalar-valued function: the
/// gradient is assembled from n differentials `df(eᵢ)` of `valueWithDifferential(at:of:)`, one
/// per basis tangent vector, then checked like ``checkGradient(of:at:name:configuration:)``.
///
/// Forward mode is experimental in Swift 6.3 and works only in narrow conditions, which no
/// code can detect at run time:
///
/// - The module that **defines** `f` (where the closure is formed, usually your test target)
///   must be compiled with `-Xfrontend -enable-experimental-forward-mode-differentiation`
///   (e.g. `swift test -Xswiftc -Xfrontend -Xswiftc -enable-experimental-forward-mode-differentiation`).
///   Without it, calling this function **traps** with "JVP does not exist". GradScope's own
///   modules need no flag.
/// - With the flag, every `@differentiable` function in that module whose body has control
///   flow (a loop, an `if`, a `?:`) fails to compile ("forward-mode differentiation does not
///   yet support control flow"), and so does every function whose derivative is registered
///   only as a pullback (`@derivative(of:)` returning `pullback:`): register a `differential:`
///   derivative for those.
///
/// What does work: straight-line code over `Double`, `Float` and SIMD vectors, and functions
/// with a registered `(value:, differential:)` derivative.
///
/// - Complexity: n differentials for the gradient plus about 4n + 20 evaluations of f.
public func checkDifferential<T: CheckableDifferentiable, R: CheckableScalar>(
    of f: @escaping @Sendable @differentiable(reverse) (T) -> R, at x: T, name: String? = nil,
    configuration: CheckConfiguration = CheckConfiguration()
) -> GradientReport {
    let n = x.checkCount
    let objective = ClosureObjective(
        point: x.checkScalars, blocks: x.objectiveBlocks(rootName: name),
        precision: combinedPrecision(x.checkPrecision, R.scalarPrecision),
        value: { scalars in Double(f(x.replacingCheckScalars(scalars[...]))) },
        valueAndGradient: { scalars in
            let p = x.replacingCheckScalars(scalars[...])
            let (value, differential) = valueWithDifferential(at: p, of: f)
            var basis = [Double](repeating: 0, count: n)
            let gradient = (0..<n).map { i in
                basis[i] = 1
                defer { basis[i] = 0 }
                return Double(differential(p.checkTangent(basis[...])))
            }
            return (Double(value), gradient)
        })
    return check(objective, configuration: configuration)
}
