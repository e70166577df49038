// PLACEHOLDER (naive loops) until the blocked kernels land. Same public API.

/// Whether a matrix operand is used as stored or transposed.
public enum Transpose: Sendable, Equatable { case none, transposed }

public enum GEMM {
    public static var backendDescription: String { "naive placeholder" }

    public static func sgemm(_ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
                             alpha: Float, a: UnsafePointer<Float>, lda: Int,
                             b: UnsafePointer<Float>, ldb: Int,
                             beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        naive(transA, transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    public static func dgemm(_ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
                             alpha: Double, a: UnsafePointer<Double>, lda: Int,
                             b: UnsafePointer<Double>, ldb: Int,
                             beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        naive(transA, transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    static func naive<T: BinaryFloatingPoint>(_ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
                                              alpha: T, a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
                                              beta: T, c: UnsafeMutablePointer<T>, ldc: Int) {
        for i in 0..<m {
            for j in 0..<n {
                var s: T = 0
                for p in 0..<k {
                    let x = transA == .none ? a[i * lda + p] : a[p * lda + i]
                    let y = transB == .none ? b[p * ldb + j] : b[j * ldb + p]
                    s += x * y
                }
                c[i * ldc + j] = alpha * s + (beta == 0 ? 0 : beta * c[i * ldc + j])
            }
        }
    }
}
