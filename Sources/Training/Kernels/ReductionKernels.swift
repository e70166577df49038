import TensorCore

/// Sums over large buffers for the monitors, accumulated in `Double`.
///
/// A single running sum is a chain of dependent additions and cannot be vectorised without
/// reassociation, which Swift does not allow; these kernels keep eight independent partial
/// sums in the element type over blocks of 512 elements and add each block's total into a
/// `Double`. For `Float` the rounding error is then about 64 ulp of a block sum (the partial
/// sums are 64 terms long), far below what a monitor reports (three significant digits).
enum ReductionKernels {
    /// (Σ|xᵢ|, Σxᵢ²) over `count` elements.
    static func absAndSquares<S: TensorScalar>(_ x: UnsafePointer<S>, count: Int) -> (abs: Double, squares: Double) {
        switch ConcreteScalar.of(S.self) {
        case .float: absAndSquares(x.rebound(to: Float.self), count)
        case .double: absAndSquares(x.rebound(to: Double.self), count)
        case .other: scalarSums(count) { Double(x[$0]) }.map { (Swift.abs($0), $0 * $0) }
        }
    }

    /// (Σ|aᵢ − bᵢ|, Σ(aᵢ − bᵢ)²).
    static func differenceAbsAndSquares<S: TensorScalar>(_ a: UnsafePointer<S>, _ b: UnsafePointer<S>, count: Int) -> (abs: Double, squares: Double) {
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

    static func absAndSquares<T: TensorScalar & SIMDScalar>(_ x: UnsafePointer<T>, _ n: Int) -> (abs: Double, squares: Double) {
        var totalAbs = 0.0, totalSquares = 0.0
        var start = 0
        while start < n {
            let end = Swift.min(start + block, n)
            var a = SIMD8<T>(), s = SIMD8<T>()
            var i = start
            while i + 8 <= end {
                var v = SIMD8<T>()
                for l in 0..<8 { v[l] = x[i + l] }
                a += v.replacing(with: -v, where: v .< 0)
                s += v * v
                i += 8
            }
            var ta = Double(a.sum()), ts = Double(s.sum())
            while i < end { let v = Double(x[i]); ta += Swift.abs(v); ts += v * v; i += 1 }
            totalAbs += ta; totalSquares += ts
            start = end
        }
        return (totalAbs, totalSquares)
    }

    static func differenceAbsAndSquares<T: TensorScalar & SIMDScalar>(_ x: UnsafePointer<T>, _ y: UnsafePointer<T>, _ n: Int) -> (abs: Double, squares: Double) {
        var totalAbs = 0.0, totalSquares = 0.0
        var start = 0
        while start < n {
            let end = Swift.min(start + block, n)
            var a = SIMD8<T>(), s = SIMD8<T>()
            var i = start
            while i + 8 <= end {
                var v = SIMD8<T>()
                for l in 0..<8 { v[l] = x[i + l] - y[i + l] }
                a += v.replacing(with: -v, where: v .< 0)
                s += v * v
                i += 8
            }
            var ta = Double(a.sum()), ts = Double(s.sum())
            while i < end { let v = Double(x[i] - y[i]); ta += Swift.abs(v); ts += v * v; i += 1 }
            totalAbs += ta; totalSquares += ts
            start = end
        }
        return (totalAbs, totalSquares)
    }

    static func sumAndSquares<T: TensorScalar & SIMDScalar>(_ x: UnsafePointer<T>, _ n: Int) -> (sum: Double, squares: Double) {
        var total = 0.0, totalSquares = 0.0
        var start = 0
        while start < n {
            let end = Swift.min(start + block, n)
            var a = SIMD8<T>(), s = SIMD8<T>()
            var i = start
            while i + 8 <= end {
                var v = SIMD8<T>()
                for l in 0..<8 { v[l] = x[i + l] }
                a += v
                s += v * v
                i += 8
            }
            var ta = Double(a.sum()), ts = Double(s.sum())
            while i < end { let v = Double(x[i]); ta += v; ts += v * v; i += 1 }
            total += ta; totalSquares += ts
            start = end
        }
        return (total, totalSquares)
    }
}
