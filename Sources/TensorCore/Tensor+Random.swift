extension Tensor {
    /// Independent uniform samples in [low, high), drawn row-major from `rng`.
    public static func uniform(
        shape: [Int], low: Scalar = 0, high: Scalar = 1,
        using rng: inout PRNG
    ) -> Tensor {
        precondition(low <= high, "uniform needs low <= high, got [\(low), \(high))")
        let n = shape.reduce(1, *)
        let width = Double(high - low)
        var values = [Scalar]()
        values.reserveCapacity(n)
        for _ in 0..<n { values.append(low + Scalar(rng.nextDouble() * width)) }
        return Tensor(shape: shape, scalars: values)
    }

    /// Independent normal samples with the given mean and standard deviation (Box–Muller).
    public static func normal(
        shape: [Int], mean: Scalar = 0, standardDeviation: Scalar = 1,
        using rng: inout PRNG
    ) -> Tensor {
        let n = shape.reduce(1, *)
        var values = [Scalar]()
        values.reserveCapacity(n)
        for _ in 0..<n { values.append(mean + standardDeviation * Scalar(rng.nextNormal())) }
        return Tensor(shape: shape, scalars: values)
    }
}
