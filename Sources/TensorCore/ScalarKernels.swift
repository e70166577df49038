import CVectorMath

/// Hot loops with a concrete implementation per element type.
///
/// Layers and losses are generic and are called through existentials (`any Layer<Scalar>`),
/// where Swift runs the unspecialised generic code: every `+` goes through a witness table.
/// Routing the hot loops through these requirements puts them in concrete, optimised code
/// (and, for the elementary functions, in the vectorised C kernels of `CVectorMath`).
public protocol ScalarKernels {
    /// y = eˣ element-wise.
    static func exp(_ x: UnsafeBufferPointer<Self>, into y: UnsafeMutableBufferPointer<Self>)
    /// y = 1/(1 + e⁻ˣ) element-wise.
    static func sigmoid(_ x: UnsafeBufferPointer<Self>, into y: UnsafeMutableBufferPointer<Self>)
    /// Σ log(1 + eˣ), computed stably and accumulated in Double.
    static func softplusSum(_ x: UnsafeBufferPointer<Self>) -> Double
    /// Σ over the rows of an [rows, columns] matrix of log Σⱼ e^{xⱼ} (max-shifted), in Double.
    static func logSumExpRowsSum(_ x: UnsafeBufferPointer<Self>, columns: Int) -> Double
    /// Σ aᵢbᵢ accumulated in Double.
    static func dot(_ a: UnsafeBufferPointer<Self>, _ b: UnsafeBufferPointer<Self>) -> Double
    /// Adds `row` to every row of the row-major matrix `m` with `row.count` columns.
    static func addRowVector(_ m: UnsafeMutableBufferPointer<Self>, _ row: UnsafeBufferPointer<Self>)
    /// g ← g ⊙ y(1 − y) (the sigmoid's backward, from its output y).
    static func sigmoidBackward(_ g: UnsafeMutableBufferPointer<Self>, output y: UnsafeBufferPointer<Self>)
    /// Column sums of a row-major matrix with `sums.count` columns, added into `sums`.
    static func addColumnSums(_ m: UnsafeBufferPointer<Self>, into sums: UnsafeMutableBufferPointer<Self>)
    /// An array of `count` copies of `value` (concrete, so no per-element generic copies).
    static func filled(_ value: Self, count: Int) -> [Self]
    /// Σ x[offsets[i]] accumulated in Double.
    static func sum(_ x: UnsafeBufferPointer<Self>, at offsets: [Int]) -> Double
    /// out[r·os] = y[r·ys] + α·x[r·xs] for r in 0..<count (strided axpy; columns of row-major matrices).
    static func stridedAxpy(
        count: Int, alpha: Self, x: UnsafePointer<Self>, xStride: Int,
        y: UnsafePointer<Self>, yStride: Int, out: UnsafeMutablePointer<Self>, outStride: Int)
    /// z[r, c] += (a[r] − b[r])·w[c] for the row-major [rows, w.count] matrix z, skipping the
    /// rows where a[r] = b[r] (a rank-1 update by a column difference).
    static func addDifferenceOuterProduct(
        rows: Int, a: UnsafePointer<Self>, b: UnsafePointer<Self>,
        w: UnsafeBufferPointer<Self>, into z: UnsafeMutablePointer<Self>)
}

/// The arithmetic kernels, shared by Float and Double. These defaults are the conformances'
/// witnesses, so the compiler specialises them for each concrete type in this module.
extension ScalarKernels where Self: BinaryFloatingPoint {
    public static func dot(_ a: UnsafeBufferPointer<Self>, _ b: UnsafeBufferPointer<Self>) -> Double {
        precondition(a.count == b.count, "dot: lengths \(a.count) and \(b.count)")
        var s = 0.0
        for i in 0..<a.count { s += Double(a[i]) * Double(b[i]) }
        return s
    }
    public static func addRowVector(_ m: UnsafeMutableBufferPointer<Self>, _ row: UnsafeBufferPointer<Self>) {
        let c = row.count
        precondition(c > 0 && m.count % c == 0, "addRowVector: \(m.count) entries, row of \(c)")
        var base = 0
        while base < m.count {
            for j in 0..<c { m[base + j] += row[j] }
            base += c
        }
    }
    public static func sigmoidBackward(_ g: UnsafeMutableBufferPointer<Self>, output y: UnsafeBufferPointer<Self>) {
        precondition(g.count == y.count, "sigmoidBackward: \(g.count) and \(y.count)")
        for i in 0..<g.count { g[i] *= y[i] * (1 - y[i]) }
    }
    public static func addColumnSums(_ m: UnsafeBufferPointer<Self>, into sums: UnsafeMutableBufferPointer<Self>) {
        let c = sums.count
        precondition(c > 0 && m.count % c == 0, "addColumnSums: \(m.count) entries, \(c) columns")
        guard let mp = m.baseAddress, let sp = sums.baseAddress else { return }
        TensorCore.addColumnSums(mp, rows: m.count / c, columns: c, into: sp)
    }
    public static func filled(_ value: Self, count: Int) -> [Self] { [Self](repeating: value, count: count) }
    public static func sum(_ x: UnsafeBufferPointer<Self>, at offsets: [Int]) -> Double {
        var s = 0.0
        for o in offsets { s += Double(x[o]) }
        return s
    }
    public static func stridedAxpy(
        count: Int, alpha: Self, x: UnsafePointer<Self>, xStride: Int,
        y: UnsafePointer<Self>, yStride: Int, out: UnsafeMutablePointer<Self>, outStride: Int
    ) {
        for r in 0..<count { out[r * outStride] = y[r * yStride] + alpha * x[r * xStride] }
    }
    public static func addDifferenceOuterProduct(
        rows: Int, a: UnsafePointer<Self>, b: UnsafePointer<Self>,
        w: UnsafeBufferPointer<Self>, into z: UnsafeMutablePointer<Self>
    ) {
        let n = w.count
        for r in 0..<rows {
            let d = a[r] - b[r]
            if d == 0 { continue }
            let row = z + r * n
            for c in 0..<n { row[c] += d * w[c] }
        }
    }
}

extension Double: ScalarKernels {
    public static func exp(_ x: UnsafeBufferPointer<Double>, into y: UnsafeMutableBufferPointer<Double>) {
        precondition(x.count == y.count, "exp: \(x.count) inputs, \(y.count) outputs")
        guard let xb = x.baseAddress, let yb = y.baseAddress else { return }
        gs_vexp_f64(xb, yb, x.count)
    }
    public static func sigmoid(_ x: UnsafeBufferPointer<Double>, into y: UnsafeMutableBufferPointer<Double>) {
        precondition(x.count == y.count, "sigmoid: \(x.count) inputs, \(y.count) outputs")
        guard let xb = x.baseAddress, let yb = y.baseAddress else { return }
        gs_vsigmoid_f64(xb, yb, x.count)
    }
    public static func softplusSum(_ x: UnsafeBufferPointer<Double>) -> Double {
        guard let xb = x.baseAddress else { return 0 }
        return gs_softplus_sum_f64(xb, x.count)
    }
    public static func logSumExpRowsSum(_ x: UnsafeBufferPointer<Double>, columns: Int) -> Double {
        guard let xb = x.baseAddress, columns > 0 else { return 0 }
        return gs_logsumexp_rows_sum_f64(xb, x.count / columns, columns)
    }
}

extension Float: ScalarKernels {
    public static func exp(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>) {
        precondition(x.count == y.count, "exp: \(x.count) inputs, \(y.count) outputs")
        guard let xb = x.baseAddress, let yb = y.baseAddress else { return }
        gs_vexp_f32(xb, yb, x.count)
    }
    public static func sigmoid(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>) {
        precondition(x.count == y.count, "sigmoid: \(x.count) inputs, \(y.count) outputs")
        guard let xb = x.baseAddress, let yb = y.baseAddress else { return }
        gs_vsigmoid_f32(xb, yb, x.count)
    }
    public static func softplusSum(_ x: UnsafeBufferPointer<Float>) -> Double {
        guard let xb = x.baseAddress else { return 0 }
        return gs_softplus_sum_f32(xb, x.count)
    }
    public static func logSumExpRowsSum(_ x: UnsafeBufferPointer<Float>, columns: Int) -> Double {
        guard let xb = x.baseAddress, columns > 0 else { return 0 }
        return gs_logsumexp_rows_sum_f32(xb, x.count / columns, columns)
    }
}

/// Σᵢ m[i, j] added into sums[j] for the row-major [rows, columns] matrix at `m`, row by row:
/// the one implementation of column sums (a bias gradient ∂L/∂b = Σᵢ δᵢ), used by
/// ``ScalarKernels/addColumnSums(_:into:)`` and by the training workspace. `@inlinable`, so a
/// caller that knows the concrete type (Float, Double) gets the specialised, vectorised loop.
@inlinable
public func addColumnSums<T: BinaryFloatingPoint>(
    _ m: UnsafePointer<T>, rows: Int, columns: Int, into sums: UnsafeMutablePointer<T>
) {
    for i in 0..<rows {
        let row = m + i * columns
        for j in 0..<columns { sums[j] += row[j] }
    }
}
