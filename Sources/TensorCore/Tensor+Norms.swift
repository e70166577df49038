import RealModule

extension Tensor {
    /// The Euclidean (Frobenius) norm √(Σ x²), computed in Double with scaling so that it
    /// neither overflows nor underflows for extreme magnitudes.
    public func norm() -> Double {
        let scale = scalars.reduce(0.0) { Swift.max($0, Double(Swift.abs($1))) }
        guard scale > 0, scale.isFinite else { return scale }
        var s = 0.0
        for x in scalars { let y = Double(x) / scale; s += y * y }
        return scale * s.squareRoot()
    }

    /// The largest absolute value (the ∞-norm of the flattened tensor).
    public func maxAbs() -> Scalar { scalars.reduce(0) { Swift.max($0, Swift.abs($1)) } }

    /// Whether every element satisfies |a − b| ≤ atol + rtol·|b| (numpy's `allclose`
    /// convention; note it is not symmetric in a and b). NaNs compare unequal.
    public func isApproximatelyEqual(to other: Tensor, rtol: Scalar = 1e-5, atol: Scalar = 1e-8) -> Bool {
        precondition(shape == other.shape, "isApproximatelyEqual: shapes \(shape) and \(other.shape) differ")
        for (a, b) in zip(scalars, other.scalars) {
            if !(Swift.abs(a - b) <= atol + rtol * Swift.abs(b)) { return false }
        }
        return true
    }

    /// Whether every element is finite.
    public var isFinite: Bool { scalars.allSatisfy(\.isFinite) }
}
