import _Differentiation

/// Σ xᵢ⁴/4 with a registered derivative that flips the sign of x³. Polynomial arithmetic on
/// exactly representable inputs: the report's numbers are the same bits on every platform.
func quarticSum(_ x: [Double]) -> Double { x.reduce(0) { $0 + $1 * $1 * $1 * $1 / 4 } }
@derivative(of: quarticSum)
func quarticSumVJP(_ x: [Double]) -> (value: Double, pullback: (Double) -> [Double].TangentVector) {
    (quarticSum(x), { v in .init(x.map { -v * $0 * $0 * $0 }) })  // wrong: −x³
}

/// Σ xᵢ⁴/4 with the right derivative x³.
func quarticSumRight(_ x: [Double]) -> Double { x.reduce(0) { $0 + $1 * $1 * $1 * $1 / 4 } }
@derivative(of: quarticSumRight)
func quarticSumRightVJP(_ x: [Double]) -> (value: Double, pullback: (Double) -> [Double].TangentVector) {
    (quarticSumRight(x), { v in .init(x.map { v * $0 * $0 * $0 }) })
}

/// F(v) = (v.x·v.y, v.x), whose registered pullback forgets F₁'s term: row 1 of the Jacobian
/// (∂F₁/∂v = (1, 0)) comes out as (0, 0).
func productAndFirst(_ v: SIMD2<Double>) -> SIMD2<Double> { SIMD2(v.x * v.y, v.x) }
@derivative(of: productAndFirst)
func productAndFirstVJP(_ v: SIMD2<Double>) -> (value: SIMD2<Double>, pullback: (SIMD2<Double>) -> SIMD2<Double>) {
    (productAndFirst(v), { g in SIMD2(g.x * v.y, g.x * v.x) })  // wrong: + g.y missing in the first entry
}
