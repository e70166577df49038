import RealModule

/// The element types a ``Tensor`` can hold: `Float` and `Double`.
///
/// Conforming types provide the elementary functions (through swift-numerics' `Real`) and
/// route matrix multiplication to the matching GEMM kernel.
public protocol TensorScalar: Real, BinaryFloatingPoint, Sendable, Codable, LosslessStringConvertible, ScalarKernels
where RawSignificand: FixedWidthInteger {
    /// The name used in file formats and on the command line: `float32` or `float64`.
    static var dtypeName: String { get }

    /// `C = α·op(A)·op(B) + β·C` on row-major storage; see ``GEMM``.
    static func gemm(
        _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
        alpha: Self, a: UnsafePointer<Self>, lda: Int,
        b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)

    /// ``gemm(_:_:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)`` with fused work on C; see ``GEMMEpilogue``.
    static func gemm(
        _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
        alpha: Self, a: UnsafePointer<Self>, lda: Int,
        b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int, epilogue: GEMMEpilogue<Self>)
}

extension Float: TensorScalar {
    public static var dtypeName: String { "float32" }

    @inlinable
    public static func gemm(
        _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        GEMM.sgemm(
            transA, transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
            b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    @inlinable
    public static func gemm(
        _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, epilogue: GEMMEpilogue<Float>
    ) {
        GEMM.sgemm(
            transA, transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
            b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, epilogue: epilogue)
    }
}

extension Double: TensorScalar {
    public static var dtypeName: String { "float64" }

    @inlinable
    public static func gemm(
        _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int,
        b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        GEMM.dgemm(
            transA, transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
            b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    @inlinable
    public static func gemm(
        _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int,
        b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int, epilogue: GEMMEpilogue<Double>
    ) {
        GEMM.dgemm(
            transA, transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
            b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, epilogue: epilogue)
    }
}
