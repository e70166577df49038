import CGemmKernels

/// Work fused into a GEMM call, done on each block of C while it is still in cache:
///
///     C ← post(α·op(A)·op(B) + 1·biasᵀ)          (β must be 0 when a bias is given)
///
/// This is what oneDNN calls post-ops: a dense layer's bias and activation, or the
/// activation's derivative in the backward pass, without separate passes over the output
/// (and, on several threads, without their fork/join). Each element is computed by the same
/// expression as the separate kernel (`ActivationKernels`, `TensorScalar.sigmoid`), so fusing
/// changes no bits.
public struct GEMMEpilogue<Scalar>: @unchecked Sendable {
    /// What happens to each element c of C after the product (and the bias).
    public enum Operation {
        case none
        /// c ← f(c).
        case activation(Activation)
        /// c ← c·f′, with f′ written through the activation's output y = f(x): y(1 − y) for
        /// sigmoid, 1 − y² for tanh, [y > 0] for ReLU, [y > 0] + slope·[y ≤ 0] for leaky ReLU.
        /// `output` has C's shape, row stride `rowStride`.
        case timesDerivative(Activation, output: UnsafePointer<Scalar>, rowStride: Int)
        /// target ← target + c (C itself is left as computed). `target` has C's shape, row stride `rowStride`.
        case addTo(UnsafeMutablePointer<Scalar>, rowStride: Int)
    }

    /// n values added to every row of C, or nil.
    public var bias: UnsafePointer<Scalar>?
    public var operation: Operation

    public init(bias: UnsafePointer<Scalar>? = nil, operation: Operation = .none) {
        self.bias = bias
        self.operation = operation
    }

    /// No fused work: a plain GEMM.
    public static var none: GEMMEpilogue { GEMMEpilogue() }

    /// The C description of the post-operation for the block of C at (row, column).
    func post(row: Int, column: Int) -> cgemm_post {
        func code(_ f: Activation, derivative: Bool) -> (Int32, Double) {
            switch f {
            case .sigmoid: return (Int32(derivative ? CGEMM_POST_TIMES_SIGMOID_DERIVATIVE : CGEMM_POST_SIGMOID), 0)
            case .tanh: return (Int32(derivative ? CGEMM_POST_TIMES_TANH_DERIVATIVE : CGEMM_POST_TANH), 0)
            case .relu: return (Int32(derivative ? CGEMM_POST_TIMES_RELU_DERIVATIVE : CGEMM_POST_RELU), 0)
            case .leakyReLU(let s):
                return (Int32(derivative ? CGEMM_POST_TIMES_LEAKY_RELU_DERIVATIVE : CGEMM_POST_LEAKY_RELU), s)
            case .identity: return (Int32(CGEMM_POST_NONE), 0)  // f(c) = c, f′ = 1
            }
        }
        switch operation {
        case .none:
            return cgemm_post(op: Int32(CGEMM_POST_NONE), slope: 0, y: nil, ldy: 0)
        case .activation(let f):
            let (op, slope) = code(f, derivative: false)
            return cgemm_post(op: op, slope: slope, y: nil, ldy: 0)
        case .timesDerivative(let f, let y, let ld):
            let (op, slope) = code(f, derivative: true)
            return cgemm_post(
                op: op, slope: slope, y: UnsafeMutableRawPointer(mutating: y + row * ld + column), ldy: ld)
        case .addTo(let y, let ld):
            return cgemm_post(
                op: Int32(CGEMM_POST_ADD_TO), slope: 0, y: UnsafeMutableRawPointer(y + row * ld + column), ldy: ld)
        }
    }

    var hasPost: Bool {
        if case .none = operation { return false }
        return true
    }
}

extension GEMMEpilogue where Scalar: GEMMElement {
    /// Bias broadcast into the m×n block at c (before the product, with β = 1 after it).
    func applyBias(column: Int, _ m: Int, _ n: Int, _ c: UnsafeMutablePointer<Scalar>, _ ldc: Int) {
        if let bias { Scalar.biasRows(m, n, bias + column, c, ldc) }
    }

    /// The post-operation on the m×n block at C's (row, column).
    func applyPost(
        kernel: Int32, row: Int, column: Int, _ m: Int, _ n: Int, _ c: UnsafeMutablePointer<Scalar>, _ ldc: Int
    ) {
        guard hasPost else { return }
        var p = post(row: row, column: column)
        Scalar.post(kernel, m, n, c, ldc, &p)
    }
}
