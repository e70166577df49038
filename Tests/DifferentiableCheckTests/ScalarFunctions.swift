import _Differentiation
import Foundation

// Functions of [Double] with registered derivatives, right and wrong. Each wrong pullback sits
// beside the mistake it makes.

/// Σ xᵢ³/3, whose gradient is x², with the sign flipped.
func sumOfCubes(_ x: [Double]) -> Double { x.reduce(0) { $0 + $1 * $1 * $1 / 3 } }
@derivative(of: sumOfCubes)
func sumOfCubesVJP(_ x: [Double]) -> (value: Double, pullback: (Double) -> [Double].TangentVector) {
    (sumOfCubes(x), { v in .init(x.map { -v * $0 * $0 }) })  // wrong: −x² (a sign slip)
}

/// ½‖x‖², whose gradient is x, computed as 2x (the ½ forgotten).
func halfSquaredNorm(_ x: [Double]) -> Double { 0.5 * x.reduce(0) { $0 + $1 * $1 } }
@derivative(of: halfSquaredNorm)
func halfSquaredNormVJP(_ x: [Double]) -> (value: Double, pullback: (Double) -> [Double].TangentVector) {
    (halfSquaredNorm(x), { v in .init(x.map { 2 * v * $0 }) })  // wrong: 2x
}

/// log Σ exp(xᵢ), computed stably, with the correct derivative softmax(x).
func logSumExp(_ x: [Double]) -> Double {
    let m = x.max() ?? 0
    return m + log(x.reduce(0) { $0 + exp($1 - m) })
}
@derivative(of: logSumExp)
func logSumExpVJP(_ x: [Double]) -> (value: Double, pullback: (Double) -> [Double].TangentVector) {
    let value = logSumExp(x)
    return (value, { v in .init(x.map { v * exp($0 - value) }) })
}

/// softmax(z), differentiated by the compiler through its loops.
@differentiable(reverse)
func softmax(_ z: [Double]) -> [Double] {
    let m = withoutDerivative(at: z.max() ?? 0)
    var e: [Double] = []
    var total = 0.0
    for i in 0..<withoutDerivative(at: z.count) {
        let ei = exp(z[i] - m)
        e.append(ei)
        total += ei
    }
    var s: [Double] = []
    for i in 0..<withoutDerivative(at: z.count) { s.append(e[i] / total) }
    return s
}

/// softmax with a registered pullback that keeps only the Jacobian's diagonal:
/// g ⊙ s(1 − s) instead of s ⊙ (g − ⟨g, s⟩).
func softmaxDiagonal(_ z: [Double]) -> [Double] { softmax(z) }
@derivative(of: softmaxDiagonal)
func softmaxDiagonalVJP(
    _ z: [Double]
) -> (value: [Double], pullback: ([Double].TangentVector) -> [Double].TangentVector) {
    let s = softmax(z)
    return (s, { g in .init(s.indices.map { g.base.isEmpty ? 0 : g.base[$0] * s[$0] * (1 - s[$0]) }) })
}
