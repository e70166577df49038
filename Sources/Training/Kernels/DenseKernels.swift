import TensorCore

/// The non-GEMM parts of a dense layer on raw row-major buffers, specialised for `Float`
/// and `Double`: broadcasting the bias into the output rows before `Y = X·Wᵀ + 1·bᵀ` is
/// accumulated by GEMM with β = 1, and the bias gradient ∂L/∂b = Σᵢ δᵢ (column sums).
enum DenseKernels {
    /// Each of `rows` rows of `y` (width `columns`) becomes a copy of `bias`.
    static func broadcastRows<S: TensorScalar>(_ bias: UnsafePointer<S>, into y: UnsafeMutablePointer<S>, rows: Int, columns: Int) {
        let bytes = columns * MemoryLayout<S>.stride
        for i in 0..<rows { UnsafeMutableRawPointer(y + i * columns).copyMemory(from: bias, byteCount: bytes) }
    }

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
