import Foundation

/// A vector-valued function F: ℝⁿ → ℝᵐ with a hand-written backward pass: its outputs at a
/// point of named input blocks, and vector-Jacobian products cᵀ·J (what a backward pass, a
/// PyTorch `autograd.Function.backward` or a JAX `custom_vjp` rule computes).
///
/// Outputs are named blocks too (``ObjectiveBlock`` with offsets into the flattened output).
/// ``checkJacobian(_:configuration:options:)`` checks it.
public protocol VectorObjective: Sendable {
    /// The input blocks, in order, covering ``point`` exactly.
    var blocks: [ObjectiveBlock] { get }
    /// The output blocks, in order: F(x) is their values flattened row-major and concatenated.
    var outputs: [ObjectiveBlock] { get }
    var point: [Double] { get }
    var precision: Precision { get }
    /// F at ``point`` + each offset (value only: no backward pass needed).
    func outputValues(at offsets: [Perturbation]) throws(EvaluationError) -> [[Double]]
    /// F(x) and cᵀ·J(x) at ``point`` for each cotangent c. A gradient of the wrong length is
    /// returned as it came (the check reports it as `vjp-wrong-shape`).
    func pullbacks(_ cotangents: [[Double]]) throws(EvaluationError) -> [Pullback]
}

/// One vector-Jacobian product: the outputs at the point and cᵀ·J.
public struct Pullback: Sendable, Hashable {
    public var value: [Double]
    public var gradient: [Double]
    public init(value: [Double], gradient: [Double]) { self.value = value; self.gradient = gradient }
}

extension VectorObjective {
    /// The total number of outputs, m.
    public var outputCount: Int { outputs.reduce(0) { $0 + $1.count } }
}

/// A vector objective from Swift closures: `function(x)` and `vjp(x, c)`.
public struct ClosureVectorObjective: VectorObjective {
    public var blocks: [ObjectiveBlock]
    public var outputs: [ObjectiveBlock]
    public var point: [Double]
    public var precision: Precision
    let function: @Sendable ([Double]) -> [Double]
    let vjp: @Sendable ([Double], [Double]) -> [Double]

    public init(
        point: [Double], blocks: [ObjectiveBlock]? = nil, outputs: [ObjectiveBlock],
        precision: Precision = .float64,
        function: @escaping @Sendable ([Double]) -> [Double],
        vjp: @escaping @Sendable (_ x: [Double], _ cotangent: [Double]) -> [Double]
    ) {
        self.point = point
        self.blocks = blocks ?? [ObjectiveBlock(name: "x", shape: [point.count], offset: 0)]
        precondition(
            self.blocks.reduce(0) { $0 + $1.count } == point.count,
            "blocks \(self.blocks.map(\.shape)) do not cover a point of \(point.count) entries")
        self.outputs = outputs
        self.precision = precision
        self.function = function
        self.vjp = vjp
    }

    public func outputValues(at offsets: [Perturbation]) throws(EvaluationError) -> [[Double]] {
        let base = point, f = function, precision = precision
        return parallelMap(offsets.count) { k in
            var x = base
            for (i, d) in zip(offsets[k].indices, offsets[k].values) { x[i] = precision.representable(base[i] + d) }
            return f(x)
        }
    }

    public func pullbacks(_ cotangents: [[Double]]) throws(EvaluationError) -> [Pullback] {
        let x = point, f = function, vjp = vjp
        return cotangents.map { Pullback(value: f(x), gradient: vjp(x, $0)) }
    }
}

/// The outputs of a vector objective seen through fixed cotangents ("rows"): for each offset
/// evaluated once, the R numbers ⟨c_r, F(x + δ)⟩. Every row's scalar check asks for the same
/// offsets (same seed, same steps), so the program is evaluated once per offset, whatever R is,
/// and memory is R numbers per offset rather than m.
///
/// Evaluations at the point itself are not memoised by offset: the k-th request for the point
/// within one row's check gets the k-th evaluation at the point (so that repeated evaluations
/// still measure the spread between calls).
final class ProjectionCache: @unchecked Sendable {
    let objective: any VectorObjective
    /// Cotangents, or nil for the identity (row r is output r).
    let rows: [[Double]]?
    let rowCount: Int
    private var memo = [Perturbation: [Double]]()
    private var atPoint = [[Double]]()
    private let lock = NSLock()
    /// Program evaluations made (value only).
    private(set) var evaluations = 0

    init(objective: any VectorObjective, rows: [[Double]]?) {
        self.objective = objective
        self.rows = rows
        rowCount = rows?.count ?? objective.outputCount
    }

    func project(_ y: [Double]) -> [Double] {
        guard let rows else { return y }
        return rows.map { c in
            var s = 0.0
            for (a, b) in zip(c, y) where a != 0 { s += a * b }
            return s
        }
    }

    /// Row `row` of the projections at each offset; `pointOrdinal` counts this caller's
    /// requests for the point itself.
    func values(row: Int, at offsets: [Perturbation], pointOrdinal: inout Int) throws(EvaluationError) -> [Double] {
        lock.lock(); defer { lock.unlock() }
        var missing = [Perturbation](), seen = Set<Perturbation>()
        var ordinals = [Int]()
        var needPoint = 0
        for o in offsets {
            if o.indices.isEmpty {
                ordinals.append(pointOrdinal)
                pointOrdinal += 1
                needPoint = max(needPoint, pointOrdinal - atPoint.count)
            } else {
                ordinals.append(-1)
                if memo[o] == nil, seen.insert(o).inserted { missing.append(o) }
            }
        }
        let requests = missing + Array(repeating: Perturbation(), count: needPoint)
        if !requests.isEmpty {
            let ys = try objective.outputValues(at: requests)
            guard ys.count == requests.count else {
                throw .failed("the program returned \(ys.count) outputs for \(requests.count) requests")
            }
            let m = objective.outputCount
            for (k, y) in ys.enumerated() {
                guard y.count == m else {
                    throw .failed("the program returned \(y.count) outputs, but its hello announced \(m)")
                }
                if k < missing.count { memo[missing[k]] = project(y) } else { atPoint.append(project(y)) }
            }
            evaluations += requests.count
        }
        return zip(offsets, ordinals).map { o, ordinal in
            ordinal >= 0 ? atPoint[ordinal][row] : memo[o]![row]
        }
    }
}

/// Row r of a vector objective as a scalar objective: value ⟨c_r, F(x)⟩, gradient c_rᵀ·J
/// (computed once, beforehand), values through the shared ``ProjectionCache``.
struct ProjectedObjective: GradientObjective {
    let cache: ProjectionCache
    let row: Int
    let value: Double
    let gradient: [Double]
    let blocks: [ObjectiveBlock]
    let point: [Double]
    let precision: Precision
    private let ordinal = Counter()

    init(cache: ProjectionCache, row: Int, value: Double, gradient: [Double]) {
        self.cache = cache; self.row = row; self.value = value; self.gradient = gradient
        blocks = cache.objective.blocks
        point = cache.objective.point
        precision = cache.objective.precision
    }

    func valueAndGradient() throws(EvaluationError) -> (value: Double, gradient: [Double]) { (value, gradient) }

    func values(at offsets: [Perturbation]) throws(EvaluationError) -> [Sample] {
        var k = ordinal.value
        defer { ordinal.value = k }
        return try cache.values(row: row, at: offsets, pointOrdinal: &k).map { Sample(value: $0) }
    }

    final class Counter: @unchecked Sendable { var value = 0 }
}
