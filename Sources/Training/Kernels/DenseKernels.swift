import TensorCore

/// The non-GEMM part of a dense layer's backward pass on raw row-major buffers, specialised
/// for `Float` and `Double`: the bias gradient ∂L/∂b = Σᵢ δᵢ (column sums). (The forward
/// bias is added by the GEMM's epilogue, `GEMMEpilogue` (TensorCore).)
enum DenseKernels {
    /// out[j] = Σᵢ d[i·columns + j].
    static func columnSums<S: TensorScalar>(_ d: UnsafePointer<S>, rows: Int, columns: Int, into out: UnsafeMutablePointer<S>) {
        switch ConcreteScalar.of(S.self) {
        case .float: columnSumsGeneric(d.rebound(to: Float.self), rows, columns, out.rebound(to: Float.self))
        case .double: columnSumsGeneric(d.rebound(to: Double.self), rows, columns, out.rebound(to: Double.self))
        case .other: columnSumsGeneric(d, rows, columns, out)
        }
    }

    static func columnSumsGeneric<T: TensorScalar>(_ d: UnsafePointer<T>, _ rows: Int, _ columns: Int, _ out: UnsafeMutablePointer<T>) {
        out.update(repeating: 0, count: columns)
        for i in 0..<rows {
            let row = d + i * columns
            for j in 0..<columns { out[j] += row[j] }
        }
    }
}
