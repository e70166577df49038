import _Differentiation
import GradCheck

/// One named block of a value's scalars: `weight` with shape `[3, 4]`. A leaf type (a number,
/// an array, a SIMD vector) has one block with an empty name; ``CheckableStruct`` prefixes its
/// fields' block names with the field name.
public struct BlockLayout: Sendable, Hashable {
    public var name: String
    public var shape: [Int]
    public init(name: String, shape: [Int]) { self.name = name; self.shape = shape }
    public var count: Int { shape.reduce(1, *) }

    /// `parent.child`, or whichever of the two is not empty.
    public static func join(_ parent: String, _ child: String) -> String {
        if parent.isEmpty { return child }
        return child.isEmpty ? parent : parent + "." + child
    }
}

/// A `Differentiable` value that GradScope can flatten into named blocks of scalars, and whose
/// tangent vectors it can flatten and build in the same order.
///
/// The checker needs three things from the point x it checks at: the scalars of x (to perturb
/// them one at a time), a way back from perturbed scalars to a value of the type (to call the
/// function), and the same flattening for the gradient the compiler returns (a
/// `TangentVector`). For vector-valued functions it also builds cotangents eₖ from scalars.
///
/// `Double`, `Float`, `[Double]`, `[Float]` and the `SIMDn` vectors of them conform here. A
/// struct of such fields conforms through ``CheckableStruct`` by listing its fields explicitly
/// (name, value key path, tangent key path): GradScope never discovers parameters by reflection.
///
/// Every entry point takes the layout from the value itself, so an array's length is part of
/// the value, not the type.
public protocol CheckableDifferentiable: Differentiable, Sendable {
    /// The blocks, in flattening order. Their counts add up to ``checkScalars``'s length.
    var checkLayout: [BlockLayout] { get }
    /// All scalars, blocks in order, each block row-major, widened to `Double`.
    var checkScalars: [Double] { get }
    /// The same value with its scalars replaced (rounded to the value's own precision).
    /// `scalars` has exactly as many entries as ``checkScalars``.
    func replacingCheckScalars(_ scalars: ArraySlice<Double>) -> Self
    /// A tangent vector at this value, flattened in ``checkLayout`` order. A zero tangent that
    /// the compiler represents without storage (an empty array's) flattens to zeros.
    func checkScalars(ofTangent tangent: TangentVector) -> [Double]
    /// The tangent vector at this value whose flattening is `scalars`.
    func checkTangent(_ scalars: ArraySlice<Double>) -> TangentVector
    /// `float32` when any scalar is a `Float` (the checker then rounds perturbed points to
    /// Float and widens its bounds to Float's unit roundoff).
    var checkPrecision: Precision { get }
}

extension CheckableDifferentiable {
    /// The number of scalars.
    public var checkCount: Int { checkLayout.reduce(0) { $0 + $1.count } }

    /// The checker's blocks for this value. A leaf's unnamed block takes `rootName` (or `x`);
    /// named blocks are prefixed with it when it is given (`model.weight`).
    public func objectiveBlocks(rootName: String? = nil) -> [ObjectiveBlock] {
        var offset = 0
        return checkLayout.map { b in
            defer { offset += b.count }
            let name = b.name.isEmpty ? (rootName ?? "x") : rootName.map { BlockLayout.join($0, b.name) } ?? b.name
            return ObjectiveBlock(name: name, shape: b.shape, offset: offset)
        }
    }
}
