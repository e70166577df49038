// Reductions in total and along an axis of a rank-2 tensor. Sums accumulate in the tensor's
// own precision, in row-major order.

extension Tensor {
    /// Σ of all elements.
    @inlinable
    public func sum() -> Scalar {
        scalars.withUnsafeBufferPointer { b in
            var s: Scalar = 0
            for x in b { s += x }
            return s
        }
    }

    /// Mean of all elements (NaN for an empty tensor).
    @inlinable public func mean() -> Scalar { sum() / Scalar(count) }

    /// The largest element.
    public func max() -> Scalar {
        precondition(count > 0, "max() of an empty tensor of shape \(shape)")
        return scalars.max()!
    }

    /// The smallest element.
    public func min() -> Scalar {
        precondition(count > 0, "min() of an empty tensor of shape \(shape)")
        return scalars.min()!
    }

    /// Row-major offset of the first largest element.
    public func argmax() -> Int {
        precondition(count > 0, "argmax() of an empty tensor of shape \(shape)")
        var best = 0
        for i in 1..<count where scalars[i] > scalars[best] { best = i }
        return best
    }

    /// Sum along `axis` of a rank-2 tensor: axis 0 gives a `[columns]` tensor (the bias
    /// gradient pattern Σᵢ δᵢⱼ), axis 1 gives a `[rows]` tensor.
    @inlinable
    public func sum(alongAxis axis: Int) -> Tensor {
        precondition(
            rank == 2 && (axis == 0 || axis == 1), "sum(alongAxis: \(axis)) needs a rank-2 tensor, shape is \(shape)")
        let (m, n) = (shape[0], shape[1])
        var out = [Scalar](repeating: 0, count: axis == 0 ? n : m)
        if axis == 0 && n > 0 {
            scalars.withUnsafeBufferPointer { a in
                out.withUnsafeMutableBufferPointer { Scalar.addColumnSums(a, into: $0) }
            }
            return Tensor(shape: [n], scalars: out)
        }
        scalars.withUnsafeBufferPointer { a in
            out.withUnsafeMutableBufferPointer { o in
                for i in 0..<m {
                    let row = i * n
                    if axis == 0 {
                        for j in 0..<n { o[j] += a[row + j] }
                    } else {
                        var s: Scalar = 0
                        for j in 0..<n { s += a[row + j] }
                        o[i] = s
                    }
                }
            }
        }
        return Tensor(shape: [out.count], scalars: out)
    }

    /// Mean along `axis` of a rank-2 tensor.
    @inlinable
    public func mean(alongAxis axis: Int) -> Tensor {
        precondition(rank == 2, "mean(alongAxis:) needs a rank-2 tensor, shape is \(shape)")
        return sum(alongAxis: axis) / Scalar(shape[axis])
    }

    /// Maximum along `axis` of a rank-2 tensor.
    public func max(alongAxis axis: Int) -> Tensor {
        precondition(
            rank == 2 && (axis == 0 || axis == 1) && count > 0,
            "max(alongAxis: \(axis)) needs a non-empty rank-2 tensor, shape is \(shape)")
        let (m, n) = (shape[0], shape[1])
        if axis == 1 {
            return Tensor((0..<m).map { i in scalars[(i * n)..<((i + 1) * n)].max()! })
        }
        return Tensor((0..<n).map { j in (0..<m).map { scalars[$0 * n + j] }.max()! })
    }

    /// Index of the largest element along `axis` of a rank-2 tensor (first one on ties).
    public func argmax(alongAxis axis: Int) -> [Int] {
        precondition(
            rank == 2 && (axis == 0 || axis == 1) && count > 0,
            "argmax(alongAxis: \(axis)) needs a non-empty rank-2 tensor, shape is \(shape)")
        let (m, n) = (shape[0], shape[1])
        if axis == 1 {
            return (0..<m).map { i in
                var best = 0
                for j in 1..<n where scalars[i * n + j] > scalars[i * n + best] { best = j }
                return best
            }
        }
        return (0..<n).map { j in
            var best = 0
            for i in 1..<m where scalars[i * n + j] > scalars[best * n + j] { best = i }
            return best
        }
    }
}
