extension Tensor {
    /// The matrix product `a·b` of rank-2 tensors.
    public static func matmul(_ a: Tensor, _ b: Tensor) -> Tensor { matmul(a, .none, b, .none) }

    /// The matrix product `op(a)·op(b)` of rank-2 tensors, where op is the identity or the
    /// transpose. Runs on the GEMM kernels (see ``GEMM``).
    public static func matmul(_ a: Tensor, _ transA: Transpose, _ b: Tensor, _ transB: Transpose) -> Tensor {
        var c = Tensor(zeros: [0, 0])
        matmul(a, transA, b, transB, into: &c, beta: 0)
        return c
    }

    /// `c = α·op(a)·op(b) + β·c`, reusing `c`'s storage when its shape already fits.
    /// With β = 0 the old contents of `c` are ignored (and may have any shape).
    public static func matmul(
        _ a: Tensor, _ transA: Transpose, _ b: Tensor, _ transB: Transpose,
        into c: inout Tensor, alpha: Scalar = 1, beta: Scalar = 0
    ) {
        precondition(a.rank == 2 && b.rank == 2, "matmul needs rank-2 tensors, got \(a.shape) and \(b.shape)")
        let (m, ka) = transA == .none ? (a.shape[0], a.shape[1]) : (a.shape[1], a.shape[0])
        let (kb, n) = transB == .none ? (b.shape[0], b.shape[1]) : (b.shape[1], b.shape[0])
        precondition(
            ka == kb,
            "matmul: inner dimensions differ: op(A) is \(m)×\(ka) from \(a.shape) \(transA), op(B) is \(kb)×\(n) from \(b.shape) \(transB)"
        )
        if c.shape != [m, n] {
            precondition(beta == 0, "matmul: accumulating into c of shape \(c.shape), expected [\(m), \(n)]")
            c = Tensor(zeros: [m, n])
        }
        a.scalars.withUnsafeBufferPointer { pa in
            b.scalars.withUnsafeBufferPointer { pb in
                c._scalars.withUnsafeMutableBufferPointer { pc in
                    guard let ca = pc.baseAddress else { return }
                    // Empty operands still have to scale c by β.
                    let aBase = pa.baseAddress ?? UnsafePointer(ca)
                    let bBase = pb.baseAddress ?? UnsafePointer(ca)
                    Scalar.gemm(
                        transA, transB, m: m, n: n, k: ka, alpha: alpha,
                        a: aBase, lda: Swift.max(1, a.shape[1]),
                        b: bBase, ldb: Swift.max(1, b.shape[1]),
                        beta: beta, c: ca, ldc: Swift.max(1, n))
                }
            }
        }
    }
}
