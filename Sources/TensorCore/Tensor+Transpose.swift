extension Tensor {
    /// The transpose of a rank-2 tensor: `result[j, i] == self[i, j]`.
    public func transposed() -> Tensor {
        precondition(rank == 2, "transposed() needs a rank-2 tensor, shape is \(shape)")
        let (m, n) = (shape[0], shape[1])
        var out = [Scalar](repeating: 0, count: count)
        scalars.withUnsafeBufferPointer { a in
            out.withUnsafeMutableBufferPointer { o in
                // Blocked so both sides stay in cache for large matrices.
                let block = 32
                for ib in stride(from: 0, to: m, by: block) {
                    for jb in stride(from: 0, to: n, by: block) {
                        for i in ib..<Swift.min(ib + block, m) {
                            for j in jb..<Swift.min(jb + block, n) { o[j * m + i] = a[i * n + j] }
                        }
                    }
                }
            }
        }
        return Tensor(shape: [n, m], scalars: out)
    }
}
