import _Differentiation
import GradCheck

/// A floating-point scalar that is its own tangent vector: `Double` and `Float`.
public protocol CheckableScalar: CheckableDifferentiable, BinaryFloatingPoint
where TangentVector == Self {
    /// The precision this scalar computes in.
    static var scalarPrecision: Precision { get }
}

extension CheckableScalar {
    public var checkLayout: [BlockLayout] { [BlockLayout(name: "", shape: [1])] }
    public var checkScalars: [Double] { [Double(self)] }
    public func replacingCheckScalars(_ scalars: ArraySlice<Double>) -> Self {
        precondition(scalars.count == 1, "a scalar takes 1 value, got \(scalars.count)")
        return Self(scalars[scalars.startIndex])
    }
    public func checkScalars(ofTangent tangent: Self) -> [Double] { [Double(tangent)] }
    public func checkTangent(_ scalars: ArraySlice<Double>) -> Self { replacingCheckScalars(scalars) }
    public var checkPrecision: Precision { Self.scalarPrecision }
}

extension Double: CheckableScalar {
    public static var scalarPrecision: Precision { .float64 }
}

extension Float: CheckableScalar {
    public static var scalarPrecision: Precision { .float32 }
}
