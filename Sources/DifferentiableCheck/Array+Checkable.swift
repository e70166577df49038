import _Differentiation
import GradCheck

/// `[Double]` and `[Float]`: one block of shape `[count]`.
///
/// The compiler's zero tangent for an array is an empty `DifferentiableView` (it does not know
/// the length); it flattens to `count` zeros here.
extension Array: CheckableDifferentiable where Element: CheckableScalar {
    public var checkLayout: [BlockLayout] { [BlockLayout(name: "", shape: [count])] }
    public var checkScalars: [Double] { map { Double($0) } }

    public func replacingCheckScalars(_ scalars: ArraySlice<Double>) -> [Element] {
        precondition(scalars.count == count, "an array of \(count) takes \(count) values, got \(scalars.count)")
        return scalars.map { Element($0) }
    }

    public func checkScalars(ofTangent tangent: TangentVector) -> [Double] {
        if tangent.base.isEmpty { return [Double](repeating: 0, count: count) }
        precondition(tangent.base.count == count, "a tangent of \(tangent.base.count) entries for an array of \(count)")
        return tangent.base.map { Double($0) }
    }

    public func checkTangent(_ scalars: ArraySlice<Double>) -> TangentVector {
        TangentVector(replacingCheckScalars(scalars))
    }

    public var checkPrecision: Precision { Element.scalarPrecision }
}
