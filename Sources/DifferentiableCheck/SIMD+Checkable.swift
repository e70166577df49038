import _Differentiation
import GradCheck

/// SIMD vectors of `Double` or `Float` (their own tangent vectors): one block of shape
/// `[scalarCount]`.
public protocol CheckableSIMD: CheckableDifferentiable, SIMD, AdditiveArithmetic
where Scalar: CheckableScalar, TangentVector == Self {}

extension CheckableSIMD {
    public var checkLayout: [BlockLayout] { [BlockLayout(name: "", shape: [scalarCount])] }
    public var checkScalars: [Double] { indices.map { Double(self[$0]) } }

    public func replacingCheckScalars(_ scalars: ArraySlice<Double>) -> Self {
        precondition(
            scalars.count == scalarCount,
            "a SIMD vector of \(scalarCount) takes \(scalarCount) values, got \(scalars.count)")
        var v = self
        for (i, s) in zip(v.indices, scalars) { v[i] = Scalar(s) }
        return v
    }

    public func checkScalars(ofTangent tangent: Self) -> [Double] { tangent.checkScalars }
    public func checkTangent(_ scalars: ArraySlice<Double>) -> Self { replacingCheckScalars(scalars) }
    public var checkPrecision: Precision { Scalar.scalarPrecision }
}

extension SIMD2: CheckableDifferentiable, CheckableSIMD where Scalar: CheckableScalar {}
extension SIMD4: CheckableDifferentiable, CheckableSIMD where Scalar: CheckableScalar {}
extension SIMD8: CheckableDifferentiable, CheckableSIMD where Scalar: CheckableScalar {}
extension SIMD16: CheckableDifferentiable, CheckableSIMD where Scalar: CheckableScalar {}
extension SIMD32: CheckableDifferentiable, CheckableSIMD where Scalar: CheckableScalar {}
extension SIMD64: CheckableDifferentiable, CheckableSIMD where Scalar: CheckableScalar {}
