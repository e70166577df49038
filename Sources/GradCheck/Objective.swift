import NeuralNet

/// One named block of an objective's parameters: `layer1.weight` or `Theta1`, with its shape,
/// its offset in the unrolled point, and, when known, its role (weight or bias).
public struct ObjectiveBlock: Sendable, Hashable, Codable {
    public var name: String
    public var shape: [Int]
    public var offset: Int
    public var role: ParameterRole?

    public init(name: String, shape: [Int], offset: Int, role: ParameterRole? = nil) {
        self.name = name; self.shape = shape; self.offset = offset; self.role = role
    }
    public var count: Int { shape.reduce(1, *) }
    public var range: Range<Int> { offset..<(offset + count) }

    /// Blocks laid end to end from shapes, as the `gradscope/1` hello describes them.
    public static func consecutive(_ items: [(name: String, shape: [Int])]) -> [ObjectiveBlock] {
        var offset = 0
        return items.map { item in
            defer { offset += item.shape.reduce(1, *) }
            return ObjectiveBlock(name: item.name, shape: item.shape, offset: offset)
        }
    }
}

/// A sparse offset from the objective's point: x + Σₖ valuesₖ·e_{indicesₖ}. An empty offset
/// is the point itself.
///
/// An offset along a dense direction (``along(_:scale:)``) keeps the direction and the scale
/// rather than index and value lists: the offsets of one noise measurement share one direction
/// array (copy-on-write), so they cost 8 bytes per parameter in all instead of 16 each.
public struct Perturbation: Sendable, Hashable {
    enum Storage: Sendable {
        case sparse(indices: [Int], values: [Double])
        /// scale·direction; entries where the direction is 0 are not part of the offset.
        case scaled(direction: [Double], scale: Double)
    }
    var storage: Storage

    public init(indices: [Int] = [], values: [Double] = []) {
        precondition(indices.count == values.count, "Perturbation: \(indices.count) indices, \(values.count) values")
        storage = .sparse(indices: indices, values: values)
    }
    /// The perturbed coordinates, in increasing order for an offset along a direction.
    public var indices: [Int] {
        switch storage {
        case .sparse(let indices, _): return indices
        case .scaled(let direction, _): return direction.indices.filter { direction[$0] != 0 }
        }
    }
    /// The offset of each perturbed coordinate, in the order of ``indices``.
    public var values: [Double] {
        switch storage {
        case .sparse(_, let values): return values
        case .scaled(let direction, let scale): return direction.compactMap { $0 != 0 ? scale * $0 : nil }
        }
    }
    /// Calls `body(index, offset)` for every perturbed coordinate without building the lists.
    public func forEachEntry(_ body: (Int, Double) throws -> Void) rethrows {
        switch storage {
        case .sparse(let indices, let values):
            for (i, d) in zip(indices, values) { try body(i, d) }
        case .scaled(let direction, let scale):
            for (i, d) in direction.enumerated() where d != 0 { try body(i, scale * d) }
        }
    }
    /// ``forEachEntry(_:)`` restricted to the coordinates in `range`.
    public func forEachEntry(in range: Range<Int>, _ body: (Int, Double) throws -> Void) rethrows {
        switch storage {
        case .sparse(let indices, let values):
            for (i, d) in zip(indices, values) where range.contains(i) { try body(i, d) }
        case .scaled(let direction, let scale):
            let clamped = range.clamped(to: direction.indices)
            for i in clamped where direction[i] != 0 { try body(i, scale * direction[i]) }
        }
    }
    /// How many storage slots ``forEachEntry(inSlots:_:)`` walks: the entries of a sparse
    /// offset, or every coordinate of a direction (zero ones included).
    public var slotCount: Int {
        switch storage {
        case .sparse(let indices, _): return indices.count
        case .scaled(let direction, _): return direction.count
        }
    }
    /// ``forEachEntry(_:)`` over the storage slots `slots` only, in order: a long offset can be
    /// written out in pieces without building its index and value lists.
    public func forEachEntry(inSlots slots: Range<Int>, _ body: (Int, Double) throws -> Void) rethrows {
        switch storage {
        case .sparse(let indices, let values):
            for k in slots.clamped(to: indices.indices) { try body(indices[k], values[k]) }
        case .scaled(let direction, let scale):
            for i in slots.clamped(to: direction.indices) where direction[i] != 0 { try body(i, scale * direction[i]) }
        }
    }
    /// The number of perturbed coordinates, counted without building ``indices``.
    public var entryCount: Int {
        switch storage {
        case .sparse(let indices, _): return indices.count
        case .scaled(let direction, _): return direction.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
        }
    }
    /// Whether the offset is zero (the point itself).
    public var isEmpty: Bool {
        switch storage {
        case .sparse(let indices, _): return indices.isEmpty
        case .scaled(let direction, _): return !direction.contains { $0 != 0 }
        }
    }
    /// x + step·e_index.
    public static func coordinate(_ index: Int, _ step: Double) -> Perturbation {
        Perturbation(indices: [index], values: [step])
    }
    /// x + scale·direction for a dense direction.
    public static func along(_ direction: [Double], scale: Double) -> Perturbation {
        var offset = Perturbation()
        offset.storage = .scaled(direction: direction, scale: scale)
        return offset
    }

    public static func == (a: Perturbation, b: Perturbation) -> Bool {
        a.indices == b.indices && a.values == b.values
    }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(indices)
        hasher.combine(values)
    }
}

/// One evaluation of the objective's value at a perturbed point.
public struct Sample: Sendable, Hashable {
    public var value: Double
    /// A fingerprint of the objective's piecewise structure at that point (ReLU masks, max-pool
    /// winners), when the objective can give one. A change from the base point's fingerprint
    /// means the perturbation crossed a kink.
    public var structure: UInt64?
    public init(value: Double, structure: UInt64? = nil) { self.value = value; self.structure = structure }
}

/// The precision an objective computes in. Its unit roundoff u (2⁻²⁴ or 2⁻⁵³) sets the
/// rounding floor of the error model.
public enum Precision: String, Sendable, Codable, CaseIterable {
    case float32, float64

    public var unitRoundoff: Double { self == .float32 ? 0x1p-24 : 0x1p-53 }

    /// The nearest value the objective can represent (a perturbed Float parameter is rounded
    /// to Float, so the step actually taken is `representable(x + h) − x`).
    public func representable(_ x: Double) -> Double { self == .float32 ? Double(Float(x)) : x }
}

/// A failure to evaluate the objective. Each case's description is one line.
public enum EvaluationError: Error, Sendable, Equatable, CustomStringConvertible {
    case nonFiniteValue(context: String)
    case nonFiniteGradient(index: Int)
    case wrongGradientLength(expected: Int, got: Int)
    case invalidStep(String)
    case failed(String)

    public var description: String {
        switch self {
        case .nonFiniteValue(let context): return "the objective's value is not finite \(context)"
        case .nonFiniteGradient(let index): return "the analytic gradient is not finite at entry \(index)"
        case let .wrongGradientLength(expected, got): return "the gradient has \(got) entries, expected \(expected)"
        case .invalidStep(let message): return "invalid step: \(message)"
        case .failed(let message): return message
        }
    }
}

/// Anything with a value and an analytic gradient at a point of named parameter blocks:
/// a built-in model, a Swift closure, an external program.
///
/// The checker does its arithmetic in Double whatever ``precision`` the objective computes in.
public protocol GradientObjective: Sendable {
    /// The parameter blocks, in order, covering ``point`` exactly.
    var blocks: [ObjectiveBlock] { get }
    /// The point to check at: all blocks unrolled row-major and concatenated.
    var point: [Double] { get }
    var precision: Precision { get }
    /// The number of examples the value averages over, when known (for recognising 1/m).
    var exampleCount: Int? { get }
    /// The value and the analytic gradient at ``point``.
    func valueAndGradient() throws(EvaluationError) -> (value: Double, gradient: [Double])
    /// The value at ``point`` + each offset. Implementations may evaluate in parallel.
    func values(at offsets: [Perturbation]) throws(EvaluationError) -> [Sample]
}

extension GradientObjective {
    public var exampleCount: Int? { nil }
    public var precision: Precision { .float64 }
}
