/// Whether a GEMM operand is used as stored or transposed.
///
/// With `.none` the operand is read as stored (row-major); with `.transposed`
/// the stored matrix is read as its transpose, op(X) = Xᵀ, without copying.
public enum Transpose: Sendable, Equatable {
    case none
    case transposed
}
