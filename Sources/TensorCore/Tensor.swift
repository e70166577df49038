/// An n-dimensional array of `Float` or `Double` in contiguous row-major order.
///
/// `Tensor` is a value type with copy-on-write storage (it wraps a Swift `Array`), so copies
/// are cheap until one side mutates. Hot loops work on ``withUnsafeBufferPointer(_:)``.
///
/// Shape errors are programmer errors: they stop with a `precondition` whose message
/// names the shapes involved.
public struct Tensor<Scalar: TensorScalar>: Sendable, Equatable {
    /// The extent of each dimension, outermost first.
    @inlinable public var shape: [Int] { _shape }
    @usableFromInline var _shape: [Int]
    /// The elements in row-major order, read-only: `count` always equals the product of
    /// `shape`. Change elements with ``subscript(flat:)``, ``subscript(_:)`` or
    /// ``withUnsafeMutableBufferPointer(_:)``, all of them with ``assign(_:)``.
    @inlinable public var scalars: [Scalar] { _read { yield _scalars } }
    @usableFromInline var _scalars: [Scalar]

    /// A tensor of the given shape holding `scalars` in row-major order.
    @inlinable
    public init(shape: [Int], scalars: [Scalar]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        precondition(
            scalars.count == shape.reduce(1, *),
            "\(scalars.count) scalars do not fill shape \(shape)")
        self._shape = shape
        self._scalars = scalars
    }

    /// A tensor of the given shape with every element equal to `value`.
    @inlinable
    public init(repeating value: Scalar, shape: [Int]) {
        self.init(shape: shape, scalars: Scalar.filled(value, count: shape.reduce(1, *)))
    }

    /// A tensor of zeros.
    @inlinable
    public init(zeros shape: [Int]) { self.init(repeating: 0, shape: shape) }

    /// A tensor of ones.
    @inlinable
    public init(ones shape: [Int]) { self.init(repeating: 1, shape: shape) }

    /// A rank-1 tensor.
    @inlinable
    public init(_ vector: [Scalar]) { self.init(shape: [vector.count], scalars: vector) }

    /// A rank-2 tensor from rows of equal length.
    public init(rows: [[Scalar]]) {
        let cols = rows.first?.count ?? 0
        precondition(
            rows.allSatisfy { $0.count == cols },
            "rows of unequal length: \(rows.map(\.count))")
        self.init(shape: [rows.count, cols], scalars: rows.flatMap { $0 })
    }

    /// A tensor converted from another precision.
    @inlinable
    public init<Other: TensorScalar>(_ other: Tensor<Other>) {
        self.init(shape: other.shape, scalars: other.scalars.map { Scalar($0) })
    }

    /// The number of elements.
    @inlinable public var count: Int { scalars.count }
    /// The number of dimensions.
    @inlinable public var rank: Int { shape.count }
    /// Rows of a rank-2 tensor.
    @inlinable public var rows: Int {
        precondition(rank == 2, "rows needs a rank-2 tensor, shape is \(shape)"); return shape[0]
    }
    /// Columns of a rank-2 tensor.
    @inlinable public var columns: Int {
        precondition(rank == 2, "columns needs a rank-2 tensor, shape is \(shape)"); return shape[1]
    }

    /// The row-major offset of a multi-index.
    @inlinable
    public func offset(of index: [Int]) -> Int {
        precondition(index.count == shape.count, "index \(index) has the wrong rank for shape \(shape)")
        var offset = 0
        for (i, (k, n)) in zip(index, shape).enumerated() {
            precondition(k >= 0 && k < n, "index \(index) out of range for shape \(shape) in dimension \(i)")
            offset = offset * n + k
        }
        return offset
    }

    /// Element access by multi-index.
    @inlinable
    public subscript(_ index: Int...) -> Scalar {
        get { scalars[offset(of: index)] }
        set { _scalars[offset(of: index)] = newValue }
    }

    /// Row `i` of a rank-2 tensor, as a rank-1 tensor.
    public func row(_ i: Int) -> Tensor {
        let c = columns
        precondition(i >= 0 && i < rows, "row \(i) out of range for shape \(shape)")
        return Tensor(Array(scalars[(i * c)..<((i + 1) * c)]))
    }

    /// The same elements viewed with a new shape of equal element count.
    @inlinable
    public func reshaped(to newShape: [Int]) -> Tensor {
        precondition(newShape.reduce(1, *) == count, "cannot reshape \(shape) (\(count) elements) to \(newShape)")
        return Tensor(shape: newShape, scalars: scalars)
    }

    /// Replaces every element, keeping the shape.
    @inlinable
    public mutating func assign(_ newScalars: [Scalar]) {
        precondition(newScalars.count == count, "assigning \(newScalars.count) scalars to shape \(shape)")
        _scalars = newScalars
    }

    /// Element access by row-major offset.
    @inlinable
    public subscript(flat offset: Int) -> Scalar {
        get { scalars[offset] }
        set { _scalars[offset] = newValue }
    }

    /// Reads the elements through a buffer pointer.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Scalar>) throws -> R) rethrows -> R {
        try scalars.withUnsafeBufferPointer(body)
    }

    /// Writes the elements through a buffer pointer (copy-on-write happens first if needed).
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<Scalar>) throws -> R
    ) rethrows -> R {
        try _scalars.withUnsafeMutableBufferPointer(body)
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor<\(Scalar.dtypeName)>\(shape)[\(shown)\(count > 8 ? ", …" : "")]"
    }
}
