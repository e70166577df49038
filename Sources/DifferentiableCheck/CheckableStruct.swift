import _Differentiation
import GradCheck

/// A struct whose checkable fields are listed explicitly, each with its name, the key path to
/// its value and the key path to its tangent:
///
/// ```swift
/// struct Affine: Differentiable, CheckableStruct {
///     var weight: [Double]      // outputs × inputs, row-major
///     var bias: [Double]
///     @noDerivative let outputs: Int, inputs: Int
///     static var checkFields: [CheckField<Affine>] {
///         [CheckField("weight", \.weight, tangent: \.weight, shape: { [$0.outputs, $0.inputs] }),
///          CheckField("bias", \.bias, tangent: \.bias)]
///     }
/// }
/// ```
///
/// Blocks are named after the fields (`weight`, `bias`); a field that is itself a
/// ``CheckableStruct`` contributes `field.subfield` blocks. Fields left out of the list (and
/// `@noDerivative` ones) are held fixed: the check covers exactly the listed ones.
public protocol CheckableStruct: CheckableDifferentiable {
    /// The fields to check, in order.
    static var checkFields: [CheckField<Self>] { get }
}

/// One field of a ``CheckableStruct``: its name, its value and its tangent, through key paths.
public struct CheckField<Root: Differentiable> {
    public let name: String
    let layout: (Root) -> [BlockLayout]
    let scalars: (Root) -> [Double]
    let replace: (inout Root, ArraySlice<Double>) -> Void
    let tangentScalars: (Root, Root.TangentVector) -> [Double]
    let setTangent: (Root, inout Root.TangentVector, ArraySlice<Double>) -> Void
    let precision: (Root) -> Precision

    /// - Parameters:
    ///   - name: the block name (`weight`).
    ///   - value: the field, e.g. `\.weight`.
    ///   - tangent: the same field in the tangent vector, e.g. `\.weight` (for a synthesized
    ///     `TangentVector` the field has the same name).
    ///   - shape: the shape of a one-block field, from the value: `{ [$0.rows, $0.columns] }`
    ///     for a matrix stored as an array (the diagnosis then names rows, columns and
    ///     transposes).
    public init<Value: CheckableDifferentiable>(
        _ name: String, _ value: WritableKeyPath<Root, Value>,
        tangent: WritableKeyPath<Root.TangentVector, Value.TangentVector>, shape: ((Root) -> [Int])? = nil
    ) {
        self.name = name
        layout = { root in
            let inner = root[keyPath: value].checkLayout
            if let shape = shape?(root), inner.count == 1 {
                precondition(
                    shape.reduce(1, *) == inner[0].count,
                    "CheckField \(name): shape \(shape) for \(inner[0].count) scalars")
                return [BlockLayout(name: name, shape: shape)]
            }
            return inner.map { BlockLayout(name: BlockLayout.join(name, $0.name), shape: $0.shape) }
        }
        scalars = { $0[keyPath: value].checkScalars }
        replace = { root, s in root[keyPath: value] = root[keyPath: value].replacingCheckScalars(s) }
        tangentScalars = { root, t in root[keyPath: value].checkScalars(ofTangent: t[keyPath: tangent]) }
        setTangent = { root, t, s in t[keyPath: tangent] = root[keyPath: value].checkTangent(s) }
        precision = { $0[keyPath: value].checkPrecision }
    }
}

extension CheckableStruct {
    public var checkLayout: [BlockLayout] { Self.checkFields.flatMap { $0.layout(self) } }
    public var checkScalars: [Double] { Self.checkFields.flatMap { $0.scalars(self) } }

    public func replacingCheckScalars(_ scalars: ArraySlice<Double>) -> Self {
        var copy = self
        var start = scalars.startIndex
        for field in Self.checkFields {
            let n = field.layout(self).reduce(0) { $0 + $1.count }
            field.replace(&copy, scalars[start..<(start + n)])
            start += n
        }
        precondition(
            start == scalars.endIndex, "\(Self.self) takes \(start - scalars.startIndex) values, got \(scalars.count)")
        return copy
    }

    public func checkScalars(ofTangent tangent: TangentVector) -> [Double] {
        Self.checkFields.flatMap { $0.tangentScalars(self, tangent) }
    }

    public func checkTangent(_ scalars: ArraySlice<Double>) -> TangentVector {
        var t = TangentVector.zero
        var start = scalars.startIndex
        for field in Self.checkFields {
            let n = field.layout(self).reduce(0) { $0 + $1.count }
            field.setTangent(self, &t, scalars[start..<(start + n)])
            start += n
        }
        return t
    }

    public var checkPrecision: Precision {
        Self.checkFields.contains { $0.precision(self) == .float32 } ? .float32 : .float64
    }
}
