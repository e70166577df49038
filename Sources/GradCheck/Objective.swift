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
public struct Perturbation: Sendable, Hashable {
    public var indices: [Int]
    public var values: [Double]
    public init(indices: [Int] = [], values: [Double] = []) {
        precondition(indices.count == values.count, "Perturbation: \(indices.count) indices, \(values.count) values")
        self.indices = indices; self.values = values
    }
    /// x + step·e_index.
    public static func coordinate(_ index: Int, _ step: Double) -> Perturbation {
        Perturbation(indices: [index], values: [step])
    }
    /// x + scale·direction for a dense direction.
    public static func along(_ direction: [Double], scale: Double) -> Perturbation {
        var indices = [Int](), values = [Double]()
        for (i, d) in direction.enumerated() where d != 0 { indices.append(i); values.append(scale * d) }
        return Perturbation(indices: indices, values: values)
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
