import CGemmKernels

/// Element types the GEMM engine supports (Float, Double): the bridge from the
/// generic Swift driver to the typed C packing routines and macro-kernels.
protocol GEMMElement: BinaryFloatingPoint, Sendable {
    static var isDouble: Bool { get }
    static func packA(
        _ kernel: Int32, _ mc: Int, _ kc: Int, _ a: UnsafePointer<Self>, _ rsa: Int,
        _ csa: Int, _ ap: UnsafeMutablePointer<Self>)
    static func packB(
        _ kernel: Int32, _ kc: Int, _ nc: Int, _ b: UnsafePointer<Self>, _ rsb: Int,
        _ csb: Int, _ bp: UnsafeMutablePointer<Self>)
    static func macro(
        _ kernel: Int32, _ mc: Int, _ nc: Int, _ kc: Int, _ alpha: Self,
        _ a: UnsafePointer<Self>, _ rsa: Int, _ csa: Int, _ aPacked: Bool,
        _ b: UnsafePointer<Self>, _ rsb: Int, _ bPacked: Bool,
        _ beta: Self, _ c: UnsafeMutablePointer<Self>, _ ldc: Int,
        _ addto: UnsafeMutablePointer<Self>?, _ ldadd: Int)
    static func dotNT(
        _ kernel: Int32, _ m: Int, _ n: Int, _ k: Int, _ alpha: Self,
        _ a: UnsafePointer<Self>, _ lda: Int, _ b: UnsafePointer<Self>, _ ldb: Int,
        _ beta: Self, _ c: UnsafeMutablePointer<Self>, _ ldc: Int
    ) -> Bool
    static func blasGEMM(
        _ lib: BLASLibrary, _ ta: Transpose, _ tb: Transpose, _ m: Int, _ n: Int, _ k: Int,
        _ alpha: Self, _ a: UnsafePointer<Self>, _ lda: Int, _ b: UnsafePointer<Self>,
        _ ldb: Int, _ beta: Self, _ c: UnsafeMutablePointer<Self>, _ ldc: Int)
    static func post(
        _ kernel: Int32, _ m: Int, _ n: Int, _ c: UnsafeMutablePointer<Self>, _ ldc: Int,
        _ post: UnsafePointer<cgemm_post>)
    static func biasRows(_ m: Int, _ n: Int, _ bias: UnsafePointer<Self>, _ c: UnsafeMutablePointer<Self>, _ ldc: Int)
}

extension Float: GEMMElement {
    static var isDouble: Bool { false }
    @inline(__always)
    static func packA(
        _ kernel: Int32, _ mc: Int, _ kc: Int, _ a: UnsafePointer<Float>, _ rsa: Int,
        _ csa: Int, _ ap: UnsafeMutablePointer<Float>
    ) {
        cgemm_spack_a(kernel, Int32(mc), Int32(kc), a, rsa, csa, ap)
    }
    @inline(__always)
    static func packB(
        _ kernel: Int32, _ kc: Int, _ nc: Int, _ b: UnsafePointer<Float>, _ rsb: Int,
        _ csb: Int, _ bp: UnsafeMutablePointer<Float>
    ) {
        cgemm_spack_b(kernel, Int32(kc), Int32(nc), b, rsb, csb, bp)
    }
    @inline(__always)
    static func macro(
        _ kernel: Int32, _ mc: Int, _ nc: Int, _ kc: Int, _ alpha: Float,
        _ a: UnsafePointer<Float>, _ rsa: Int, _ csa: Int, _ aPacked: Bool,
        _ b: UnsafePointer<Float>, _ rsb: Int, _ bPacked: Bool,
        _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
        _ addto: UnsafeMutablePointer<Float>?, _ ldadd: Int
    ) {
        cgemm_smacro(
            kernel, Int32(mc), Int32(nc), Int32(kc), alpha, a, rsa, csa, aPacked ? 1 : 0,
            b, rsb, bPacked ? 1 : 0, beta, c, ldc, addto, ldadd)
    }
    @inline(__always)
    static func dotNT(
        _ kernel: Int32, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
        _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) -> Bool {
        cgemm_sgemm_dot_nt(kernel, Int32(m), Int32(n), Int32(k), alpha, a, lda, b, ldb, beta, c, ldc) != 0
    }
    @inline(__always)
    static func blasGEMM(
        _ lib: BLASLibrary, _ ta: Transpose, _ tb: Transpose, _ m: Int, _ n: Int, _ k: Int,
        _ alpha: Float, _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>,
        _ ldb: Int, _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) {
        lib.sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }
    @inline(__always)
    static func post(
        _ kernel: Int32, _ m: Int, _ n: Int, _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
        _ post: UnsafePointer<cgemm_post>
    ) {
        cgemm_spost(kernel, Int32(m), Int32(n), c, ldc, post)
    }
    @inline(__always)
    static func biasRows(_ m: Int, _ n: Int, _ bias: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ ldc: Int)
    {
        cgemm_sbias_rows(Int32(m), Int32(n), bias, c, ldc)
    }
}

extension Double: GEMMElement {
    static var isDouble: Bool { true }
    @inline(__always)
    static func packA(
        _ kernel: Int32, _ mc: Int, _ kc: Int, _ a: UnsafePointer<Double>, _ rsa: Int,
        _ csa: Int, _ ap: UnsafeMutablePointer<Double>
    ) {
        cgemm_dpack_a(kernel, Int32(mc), Int32(kc), a, rsa, csa, ap)
    }
    @inline(__always)
    static func packB(
        _ kernel: Int32, _ kc: Int, _ nc: Int, _ b: UnsafePointer<Double>, _ rsb: Int,
        _ csb: Int, _ bp: UnsafeMutablePointer<Double>
    ) {
        cgemm_dpack_b(kernel, Int32(kc), Int32(nc), b, rsb, csb, bp)
    }
    @inline(__always)
    static func macro(
        _ kernel: Int32, _ mc: Int, _ nc: Int, _ kc: Int, _ alpha: Double,
        _ a: UnsafePointer<Double>, _ rsa: Int, _ csa: Int, _ aPacked: Bool,
        _ b: UnsafePointer<Double>, _ rsb: Int, _ bPacked: Bool,
        _ beta: Double, _ c: UnsafeMutablePointer<Double>, _ ldc: Int,
        _ addto: UnsafeMutablePointer<Double>?, _ ldadd: Int
    ) {
        cgemm_dmacro(
            kernel, Int32(mc), Int32(nc), Int32(kc), alpha, a, rsa, csa, aPacked ? 1 : 0,
            b, rsb, bPacked ? 1 : 0, beta, c, ldc, addto, ldadd)
    }
    @inline(__always)
    static func dotNT(
        _ kernel: Int32, _ m: Int, _ n: Int, _ k: Int, _ alpha: Double,
        _ a: UnsafePointer<Double>, _ lda: Int, _ b: UnsafePointer<Double>, _ ldb: Int,
        _ beta: Double, _ c: UnsafeMutablePointer<Double>, _ ldc: Int
    ) -> Bool {
        cgemm_dgemm_dot_nt(kernel, Int32(m), Int32(n), Int32(k), alpha, a, lda, b, ldb, beta, c, ldc) != 0
    }
    @inline(__always)
    static func blasGEMM(
        _ lib: BLASLibrary, _ ta: Transpose, _ tb: Transpose, _ m: Int, _ n: Int, _ k: Int,
        _ alpha: Double, _ a: UnsafePointer<Double>, _ lda: Int, _ b: UnsafePointer<Double>,
        _ ldb: Int, _ beta: Double, _ c: UnsafeMutablePointer<Double>, _ ldc: Int
    ) {
        lib.dgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }
    @inline(__always)
    static func post(
        _ kernel: Int32, _ m: Int, _ n: Int, _ c: UnsafeMutablePointer<Double>, _ ldc: Int,
        _ post: UnsafePointer<cgemm_post>
    ) {
        cgemm_dpost(kernel, Int32(m), Int32(n), c, ldc, post)
    }
    @inline(__always)
    static func biasRows(
        _ m: Int, _ n: Int, _ bias: UnsafePointer<Double>, _ c: UnsafeMutablePointer<Double>, _ ldc: Int
    ) {
        cgemm_dbias_rows(Int32(m), Int32(n), bias, c, ldc)
    }
}
