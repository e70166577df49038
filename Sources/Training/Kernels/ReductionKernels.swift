import TensorCore

/// Sums over large buffers for the monitors, accumulated in `Double`.
///
/// A single running sum is a chain of dependent additions and cannot be vectorised without
/// reassociation, which Swift does not allow; for `Float` these kernels keep sixteen
/// independent partial sums (one vector) over blocks of 512 elements and add each block's
/// total into a `Double`. The rounding error is then about 32 ulp of a block sum (the partial
/// sums are 32 terms long), far below what a monitor reports (three significant digits).
/// `Double` (used for checking, not speed) sums plainly.
enum ReductionKernels {
    /// (Σ|xᵢ|, Σxᵢ²) over `count` elements.
    static func absAndSquares<S: TensorScalar>(_ x: UnsafePointer<S>, count: Int) -> (abs: Double, squares: Double) {
        inChunks(count) { o, c in absAndSquaresSerial(x + o, count: c) }
    }

    static func absAndSquaresSerial<S: TensorScalar>(
        _ x: UnsafePointer<S>, count: Int
    ) -> (abs: Double, squares: Double) {
        switch ConcreteScalar.of(S.self) {
        case .float: absAndSquares(x.rebound(to: Float.self), count)
        case .double: absAndSquares(x.rebound(to: Double.self), count)
        case .other: scalarSums(count) { Double(x[$0]) }.map { (Swift.abs($0), $0 * $0) }
        }
    }

    /// (Σ|aᵢ − bᵢ|, Σ(aᵢ − bᵢ)²).
    static func differenceAbsAndSquares<S: TensorScalar>(
        _ a: UnsafePointer<S>, _ b: UnsafePointer<S>, count: Int
    ) -> (abs: Double, squares: Double) {
        inChunks(count) { o, c in differenceAbsAndSquaresSerial(a + o, b + o, count: c) }
    }

    static func differenceAbsAndSquaresSerial<S: TensorScalar>(
        _ a: UnsafePointer<S>, _ b: UnsafePointer<S>, count: Int
    ) -> (abs: Double, squares: Double) {
        switch ConcreteScalar.of(S.self) {
        case .float: differenceAbsAndSquares(a.rebound(to: Float.self), b.rebound(to: Float.self), count)
        case .double: differenceAbsAndSquares(a.rebound(to: Double.self), b.rebound(to: Double.self), count)
        case .other: scalarSums(count) { Double(a[$0] - b[$0]) }.map { (Swift.abs($0), $0 * $0) }
        }
    }

    /// (Σxᵢ, Σxᵢ²).
    static func sumAndSquares<S: TensorScalar>(_ x: UnsafePointer<S>, count: Int) -> (sum: Double, squares: Double) {
        switch ConcreteScalar.of(S.self) {
        case .float: sumAndSquares(x.rebound(to: Float.self), count)
        case .double: sumAndSquares(x.rebound(to: Double.self), count)
        case .other: scalarSums(count) { Double(x[$0]) }.map { ($0, $0 * $0) }
        }
    }

    static let block = 512

    /// `sums(offset, count)` over contiguous chunks of 0..<count, on all cores when the buffer is
    /// large (a monitor reading streams several weight-sized arrays), combined in chunk order.
    /// Chunks start on multiples of ``block``, so each block's partial sum is the one the serial
    /// kernel forms; only the order of the final Double additions depends on the core count.
    static func inChunks<R>(_ count: Int, zero: R, _ combine: (R, R) -> R, _ sums: (Int, Int) -> R) -> R {
        let threads = ParallelChunks.threads
        guard count >= ParallelChunks.threshold, threads > 1 else { return sums(0, count) }
        let chunk = ((count + threads - 1) / threads + block - 1) / block * block
        var partial = [R](repeating: zero, count: threads)
        partial.withUnsafeMutableBufferPointer { out in
            let results = UncheckedSendable(out.baseAddress!)
            withoutActuallyEscaping(sums) { sums in
                let body = UncheckedSendable(sums)
                GEMMThreading.forEach(threads) { t in
                    let start = t * chunk
                    if start < count { results.value[t] = body.value(start, Swift.min(chunk, count - start)) }
                }
            }
        }
        return partial.reduce(zero, combine)
    }

    static func inChunks(_ count: Int, _ sums: (Int, Int) -> (Double, Double)) -> (Double, Double) {
        inChunks(count, zero: (0, 0), { ($0.0 + $1.0, $0.1 + $1.1) }, sums)
    }

    /// The slow path for element types other than Float and Double: (Σf, Σg) of f(value(i)).
    struct ScalarSums {
        var count: Int
        var value: (Int) -> Double
        func map(_ f: (Double) -> (Double, Double)) -> (Double, Double) {
            var a = 0.0, b = 0.0
            for i in 0..<count { let (x, y) = f(value(i)); a += x; b += y }
            return (a, b)
        }
    }

    static func scalarSums(_ count: Int, _ value: @escaping (Int) -> Double) -> ScalarSums {
        ScalarSums(count: count, value: value)
    }

    // Float: explicit 16-lane vectors in non-generic code (generic SIMD code is not lowered to
    // vector instructions). Double: plain loops with a Double accumulator.

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inline(__always)
    static func absolute(_ v: SIMD16<Float>) -> SIMD16<Float> {
        v.replacing(with: -v, where: v .< 0)
    }

    static func absAndSquares(_ x: UnsafePointer<Float>, _ n: Int) -> (abs: Double, squares: Double) {
        var total = (0.0, 0.0)
        var start = 0
        while start < n {
            let end = Swift.min(start + block, n)
            var a = SIMD16<Float>(), s = SIMD16<Float>()
            var i = start
            while i + 16 <= end { let v = load(x + i); a += absolute(v); s += v * v; i += 16 }
            var ta = Double(a.sum()), ts = Double(s.sum())
            while i < end { let v = Double(x[i]); ta += Swift.abs(v); ts += v * v; i += 1 }
            total.0 += ta; total.1 += ts
            start = end
        }
        return total
    }

    static func differenceAbsAndSquares(
        _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ n: Int
    ) -> (abs: Double, squares: Double) {
        var total = (0.0, 0.0)
        var start = 0
        while start < n {
            let end = Swift.min(start + block, n)
            var a = SIMD16<Float>(), s = SIMD16<Float>()
            var i = start
            while i + 16 <= end { let v = load(x + i) - load(y + i); a += absolute(v); s += v * v; i += 16 }
            var ta = Double(a.sum()), ts = Double(s.sum())
            while i < end { let v = Double(x[i] - y[i]); ta += Swift.abs(v); ts += v * v; i += 1 }
            total.0 += ta; total.1 += ts
            start = end
        }
        return total
    }

    static func sumAndSquares(_ x: UnsafePointer<Float>, _ n: Int) -> (sum: Double, squares: Double) {
        var total = (0.0, 0.0)
        var start = 0
        while start < n {
            let end = Swift.min(start + block, n)
            var a = SIMD16<Float>(), s = SIMD16<Float>()
            var i = start
            while i + 16 <= end { let v = load(x + i); a += v; s += v * v; i += 16 }
            var ta = Double(a.sum()), ts = Double(s.sum())
            while i < end { let v = Double(x[i]); ta += v; ts += v * v; i += 1 }
            total.0 += ta; total.1 += ts
            start = end
        }
        return total
    }

    static func absAndSquares(_ x: UnsafePointer<Double>, _ n: Int) -> (abs: Double, squares: Double) {
        var a = 0.0, s = 0.0
        for i in 0..<n { let v = x[i]; a += Swift.abs(v); s += v * v }
        return (a, s)
    }

    static func differenceAbsAndSquares(
        _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, _ n: Int
    ) -> (abs: Double, squares: Double) {
        var a = 0.0, s = 0.0
        for i in 0..<n { let v = x[i] - y[i]; a += Swift.abs(v); s += v * v }
        return (a, s)
    }

    static func sumAndSquares(_ x: UnsafePointer<Double>, _ n: Int) -> (sum: Double, squares: Double) {
        var a = 0.0, s = 0.0
        for i in 0..<n { let v = x[i]; a += v; s += v * v }
        return (a, s)
    }

    /// The offset of the first NaN or infinity, if any.
    static func firstNonFinite<S: TensorScalar>(_ x: UnsafePointer<S>, count: Int) -> Int? {
        switch ConcreteScalar.of(S.self) {
        case .float: firstNonFinite(x.rebound(to: Float.self), count)
        case .double: firstNonFinite(x.rebound(to: Double.self), count)
        case .other: (0..<count).first { !x[$0].isFinite }
        }
    }

    static func firstNonFinite<T: TensorScalar>(_ x: UnsafePointer<T>, _ n: Int) -> Int? {
        // x − x is 0 for finite x and NaN otherwise; a block's sum is NaN iff it holds one.
        var start = 0
        while start < n {
            let end = Swift.min(start + block, n)
            var s: T = 0
            for i in start..<end { s += x[i] - x[i] }
            if s.isNaN { return (start..<end).first { !x[$0].isFinite } }
            start = end
        }
        return nil
    }
}
