import Dispatch

/// An objective from Swift closures: `value(x)` and `valueAndGradient(x)` over `[Double]`.
public struct ClosureObjective: GradientObjective {
    public var blocks: [ObjectiveBlock]
    public var point: [Double]
    public var precision: Precision
    public var exampleCount: Int?
    let value: @Sendable ([Double]) -> Double
    let gradient: @Sendable ([Double]) -> (Double, [Double])

    /// - Parameters:
    ///   - blocks: named blocks; `nil` makes the whole vector one block named "x".
    ///   - valueAndGradient: f(x) and ∇f(x); `value` defaults to its first component.
    public init(
        point: [Double], blocks: [ObjectiveBlock]? = nil, precision: Precision = .float64,
        exampleCount: Int? = nil,
        value: (@Sendable ([Double]) -> Double)? = nil,
        valueAndGradient: @escaping @Sendable ([Double]) -> (Double, [Double])
    ) {
        self.point = point
        self.blocks = blocks ?? [ObjectiveBlock(name: "x", shape: [point.count], offset: 0)]
        precondition(
            self.blocks.reduce(0) { $0 + $1.count } == point.count,
            "blocks \(self.blocks.map(\.shape)) do not cover a point of \(point.count) entries")
        self.precision = precision
        self.exampleCount = exampleCount
        self.gradient = valueAndGradient
        self.value = value ?? { valueAndGradient($0).0 }
    }

    public func valueAndGradient() throws(EvaluationError) -> (value: Double, gradient: [Double]) {
        let (v, g) = gradient(point)
        return (v, g)
    }

    public func values(at offsets: [Perturbation]) throws(EvaluationError) -> [Sample] {
        let base = point
        let f = value
        let precision = precision
        return parallelMap(offsets.count) { k in
            var x = base
            for (i, d) in zip(offsets[k].indices, offsets[k].values) { x[i] = precision.representable(base[i] + d) }
            return Sample(value: f(x))
        }
    }
}

/// Evaluates `body(0..<count)` on all cores, in chunks, preserving order.
func parallelMap<T: Sendable>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
    if count < 2 { return (0..<count).map(body) }
    let results = ResultSlots<T>(count: count)
    DispatchQueue.concurrentPerform(iterations: count) { k in results.set(k, body(k)) }
    return results.values
}

/// Write-once result slots shared by concurrent iterations (each index written exactly once,
/// read only after all writers finished).
final class ResultSlots<T: Sendable>: @unchecked Sendable {
    private let storage: UnsafeMutablePointer<T?>
    private let count: Int
    init(count: Int) {
        self.count = count
        storage = .allocate(capacity: count)
        storage.initialize(repeating: nil, count: count)
    }
    deinit { storage.deinitialize(count: count); storage.deallocate() }
    func set(_ k: Int, _ value: T) { storage[k] = value }
    var values: [T] { (0..<count).map { storage[$0]! } }
}
