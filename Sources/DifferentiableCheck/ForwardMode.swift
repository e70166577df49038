import _Differentiation
import GradCheck

/// Checks the derivatives Swift's **forward mode** computes for a scalar-valued function: the
/// gradient is assembled from n differentials `df(eᵢ)` of `valueWithDifferential(at:of:)`, one
/// per basis tangent vector, then checked like ``checkGradient(of:at:name:configuration:)``.
///
/// Forward mode is experimental in Swift 6.3 and works only in narrow conditions, which no
/// code can detect at run time (measured; `Examples/ForwardMode` is the working setup):
///
/// - The module that **defines** `f` (where the closure is formed, usually your test target)
///   must be compiled with `-Xfrontend -enable-experimental-forward-mode-differentiation`
///   (`swift test -Xswiftc -Xfrontend -Xswiftc -enable-experimental-forward-mode-differentiation`).
///   Without it, calling this function **traps** with "JVP does not exist". GradScope's own
///   modules need no flag.
/// - With the flag, every `@differentiable` function in that module whose body has control
///   flow (a loop, an `if`, a `?:`) fails to compile ("forward-mode differentiation does not
///   yet support control flow"), and so does a function with a registered derivative in only
///   one mode: register both a `differential:` and a `pullback:` derivative.
/// - The standard library's SIMD accessors and operations and `Array`'s subscript have no
///   forward-mode derivatives ("cannot differentiate functions that have not been marked
///   '@differentiable' and that are defined in other files"): bundle scalars in a struct.
/// - Swift Testing's `@Test` macro does not compile under the flag; XCTest does.
///
/// What does work: straight-line code over `Double` and `Float`, structs of them, and
/// functions with derivatives registered in both modes.
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
