/// General matrix multiply, C ← α·op(A)·op(B) + β·C, in single and double
/// precision (BLAS `?gemm` semantics, row-major storage).
///
/// Shapes: op(A) is m×k, op(B) is k×n, C is m×n. A is stored m×k when
/// `transA == .none` and k×m when `.transposed`; likewise B is stored k×n or
/// n×k. `lda`, `ldb`, `ldc` are the row strides (in elements) of the *stored*
/// matrices, so `lda ≥ max(1, columns of stored A)` etc.
///
/// BLAS conventions: β = 0 means C is not read (NaN or garbage in C does not
/// propagate); k = 0 or α = 0 gives C ← β·C (A and B are not read); m = 0 or
/// n = 0 is a no-op.
///
/// The built-in engine follows the Goto/BLIS design (K. Goto and R. van de
/// Geijn, "Anatomy of High-Performance Matrix Multiplication", ACM TOMS 34(3),
/// 2008; F. Van Zee and R. van de Geijn, "BLIS: A Framework for Rapidly
/// Instantiating BLAS Functionality", ACM TOMS 41(3), 2015): B is packed into
/// kc×nc blocks of nr-wide panels that stay in L2, A is read (or packed) in
/// mr-row micro-panels that stay in L1, and a register-blocked mr×nr
/// micro-kernel accumulates kc rank-1 updates before touching C. Each element
/// of C is computed by one thread in a fixed order, so results do not depend
/// on the thread count.
public enum GEMM {
    /// Description of the backend used by the overloads without `backend:`,
    /// e.g. "built-in avx512 (x86-64 AVX-512F+FMA)" or
    /// "blas /usr/lib/x86_64-linux-gnu/libopenblas.so.0", followed by notes
    /// when an environment request could not be honoured.
    public static var backendDescription: String { GEMMConfiguration.current.description }

    /// The backend chosen from the environment (`GRADSCOPE_KERNEL`, `GRADSCOPE_BLAS`).
    public static var defaultBackend: GEMMBackend { GEMMConfiguration.current.backend }

    /// Upper bound on threads per call: `GRADSCOPE_THREADS` if set, else the
    /// number of online processors.
    public static var maxThreads: Int { GEMMConfiguration.current.maxThreads }

    /// Single precision: C ← α·op(A)·op(B) + β·C with the default backend.
    public static func sgemm(
        _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        gemm(
            transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc,
            backend: GEMMConfiguration.current.backend, threads: nil)
    }

    /// Double precision: C ← α·op(A)·op(B) + β·C with the default backend.
    public static func dgemm(
        _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int,
        b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        gemm(
            transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc,
            backend: GEMMConfiguration.current.backend, threads: nil)
    }

    /// Single precision on an explicit backend (e.g. a forced kernel tier in
    /// tests). `threads` caps the thread count for this call (nil: default).
    public static func sgemm(
        _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
        backend: GEMMBackend, threads: Int? = nil
    ) {
        gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, backend: backend, threads: threads)
    }

    /// Double precision on an explicit backend.
    public static func dgemm(
        _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int,
        b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int,
        backend: GEMMBackend, threads: Int? = nil
    ) {
        gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, backend: backend, threads: threads)
    }

    /// Single precision with fused work on C (bias, activation, derivative, accumulation;
    /// see ``GEMMEpilogue``), on the default backend or an explicit one.
    public static func sgemm(
        _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
        epilogue: GEMMEpilogue<Float>,
        backend: GEMMBackend = GEMMConfiguration.current.backend, threads: Int? = nil
    ) {
        gemm(
            transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, backend: backend, threads: threads,
            epilogue: epilogue)
    }

    /// Double precision with fused work on C; see ``sgemm(_:_:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:epilogue:backend:threads:)``.
    public static func dgemm(
        _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int,
        b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int,
        epilogue: GEMMEpilogue<Double>,
        backend: GEMMBackend = GEMMConfiguration.current.backend, threads: Int? = nil
    ) {
        gemm(
            transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, backend: backend, threads: threads,
            epilogue: epilogue)
    }

    @inline(__always)
    static func gemm<T: GEMMElement>(
        _ transA: Transpose, _ transB: Transpose, _ m: Int, _ n: Int, _ k: Int,
        _ alpha: T, _ a: UnsafePointer<T>, _ lda: Int,
        _ b: UnsafePointer<T>, _ ldb: Int,
        _ beta: T, _ c: UnsafeMutablePointer<T>, _ ldc: Int,
        backend: GEMMBackend, threads: Int?, epilogue: GEMMEpilogue<T> = .none
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "GEMM: negative size m=\(m) n=\(n) k=\(k)")
        let aCols = transA == .none ? k : m
        let bCols = transB == .none ? n : k
        precondition(
            lda >= max(1, aCols),
            "GEMM: lda=\(lda) < \(max(1, aCols)) for A stored \(transA == .none ? "\(m)x\(k)" : "\(k)x\(m)") (m=\(m) n=\(n) k=\(k))"
        )
        precondition(
            ldb >= max(1, bCols),
            "GEMM: ldb=\(ldb) < \(max(1, bCols)) for B stored \(transB == .none ? "\(k)x\(n)" : "\(n)x\(k)") (m=\(m) n=\(n) k=\(k))"
        )
        precondition(ldc >= max(1, n), "GEMM: ldc=\(ldc) < \(max(1, n)) for C \(m)x\(n)")
        precondition(epilogue.bias == nil || beta == 0, "GEMM: a fused bias needs beta = 0, got \(beta)")
        if m == 0 || n == 0 { return }

        switch backend {
        case .blas(let library) where BLASLibrary.fitsInt32(m, n, k, lda, ldb, ldc):
            // The library knows no epilogue: bias before, post-operation after, over all of C.
            epilogue.applyBias(column: 0, m, n, c, ldc)
            T.blasGEMM(library, transA, transB, m, n, k, alpha, a, lda, b, ldb, epilogue.bias == nil ? beta : 1, c, ldc)
            epilogue.applyPost(kernel: CPUFeatures.current.bestKernel.cValue, row: 0, column: 0, m, n, c, ldc)
        case .blas:
            // Sizes beyond the 32-bit CBLAS interface: use the built-in engine.
            GEMMDriver<T>.run(
                kernel: CPUFeatures.current.bestKernel, transA, transB, m, n, k,
                alpha, a, lda, b, ldb, beta, c, ldc, threads: threads, epilogue: epilogue)
        case .builtIn(let kernel):
            let k2 = CPUFeatures.current.supports(kernel) ? kernel : CPUFeatures.current.bestKernel
            GEMMDriver<T>.run(
                kernel: k2, transA, transB, m, n, k,
                alpha, a, lda, b, ldb, beta, c, ldc, threads: threads, epilogue: epilogue)
        }
    }
}
