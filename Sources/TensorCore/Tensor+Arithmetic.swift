// Element-wise arithmetic: tensor ⊙ tensor (same shape), tensor ⊙ scalar, and a rank-2 tensor
// ⊙ a row vector broadcast over its rows (the bias pattern `X·Wᵀ + b`).

extension Tensor {
    @inlinable
    func zipMap(_ other: Tensor, _ op: String, _ f: (Scalar, Scalar) -> Scalar) -> Tensor {
        precondition(shape == other.shape, "\(op): shapes \(shape) and \(other.shape) differ")
        var out = scalars
        out.withUnsafeMutableBufferPointer { o in
            other.scalars.withUnsafeBufferPointer { b in
                for i in o.indices { o[i] = f(o[i], b[i]) }
            }
        }
        return Tensor(shape: shape, scalars: out)
    }

    @inlinable
    mutating func zipUpdate(_ other: Tensor, _ op: String, _ f: (Scalar, Scalar) -> Scalar) {
        precondition(shape == other.shape, "\(op): shapes \(shape) and \(other.shape) differ")
        _scalars.withUnsafeMutableBufferPointer { o in
            other.scalars.withUnsafeBufferPointer { b in
                for i in o.indices { o[i] = f(o[i], b[i]) }
            }
        }
    }

    @inlinable public static func + (a: Tensor, b: Tensor) -> Tensor { a.zipMap(b, "+") { $0 + $1 } }
    @inlinable public static func - (a: Tensor, b: Tensor) -> Tensor { a.zipMap(b, "-") { $0 - $1 } }
    /// Element-wise (Hadamard) product.
    @inlinable public static func * (a: Tensor, b: Tensor) -> Tensor { a.zipMap(b, "*") { $0 * $1 } }
    @inlinable public static func / (a: Tensor, b: Tensor) -> Tensor { a.zipMap(b, "/") { $0 / $1 } }
    @inlinable public static func += (a: inout Tensor, b: Tensor) { a.zipUpdate(b, "+=") { $0 + $1 } }
    @inlinable public static func -= (a: inout Tensor, b: Tensor) { a.zipUpdate(b, "-=") { $0 - $1 } }
    @inlinable public static func *= (a: inout Tensor, b: Tensor) { a.zipUpdate(b, "*=") { $0 * $1 } }

    @inlinable public static func + (a: Tensor, s: Scalar) -> Tensor { a.map { $0 + s } }
    @inlinable public static func - (a: Tensor, s: Scalar) -> Tensor { a.map { $0 - s } }
    @inlinable public static func * (a: Tensor, s: Scalar) -> Tensor { a.map { $0 * s } }
    @inlinable public static func * (s: Scalar, a: Tensor) -> Tensor { a.map { s * $0 } }
    @inlinable public static func / (a: Tensor, s: Scalar) -> Tensor { a.map { $0 / s } }
    @inlinable public static prefix func - (a: Tensor) -> Tensor { a.map { -$0 } }
    @inlinable public static func *= (a: inout Tensor, s: Scalar) { a.update { $0 * s } }

    /// `self += alpha · other` (axpy), in place.
    @inlinable
    public mutating func add(_ other: Tensor, scaledBy alpha: Scalar) {
        zipUpdate(other, "add(_:scaledBy:)") { $0 + alpha * $1 }
    }

    @inlinable
    func rowBroadcast(_ row: Tensor, _ op: String, _ f: (Scalar, Scalar) -> Scalar) -> Tensor {
        precondition(
            rank == 2 && row.count == shape[1],
            "\(op): row vector of shape \(row.shape) does not broadcast over \(shape)")
        var out = scalars
        let c = shape[1]
        out.withUnsafeMutableBufferPointer { o in
            row.scalars.withUnsafeBufferPointer { r in
                var base = 0
                while base < o.count {
                    for j in 0..<c { o[base + j] = f(o[base + j], r[j]) }
                    base += c
                }
            }
        }
        return Tensor(shape: shape, scalars: out)
    }

    /// Adds a row vector (shape `[n]` or `[1, n]`) to every row of an `[m, n]` tensor.
    public func adding(rowVector row: Tensor) -> Tensor {
        precondition(
            rank == 2 && row.count == shape[1],
            "adding(rowVector:): row vector of shape \(row.shape) does not broadcast over \(shape)")
        var out = self
        out._scalars.withUnsafeMutableBufferPointer { o in
            row.scalars.withUnsafeBufferPointer { r in Scalar.addRowVector(o, r) }
        }
        return out
    }
    /// Subtracts a row vector from every row.
    @inlinable public func subtracting(rowVector row: Tensor) -> Tensor {
        rowBroadcast(row, "subtracting(rowVector:)") { $0 - $1 }
    }
    /// Multiplies every row element-wise by a row vector.
    @inlinable public func multiplying(rowVector row: Tensor) -> Tensor {
        rowBroadcast(row, "multiplying(rowVector:)") { $0 * $1 }
    }
    /// Divides every row element-wise by a row vector.
    @inlinable public func dividing(rowVector row: Tensor) -> Tensor {
        rowBroadcast(row, "dividing(rowVector:)") { $0 / $1 }
    }

    /// Multiplies row `i` by `column[i]` (shape `[m]` or `[m, 1]`).
    @inlinable
    public func multiplying(columnVector column: Tensor) -> Tensor {
        precondition(
            rank == 2 && column.count == shape[0],
            "multiplying(columnVector:): column of shape \(column.shape) does not broadcast over \(shape)")
        var out = scalars
        let c = shape[1]
        for i in 0..<shape[0] {
            let s = column.scalars[i]
            for j in 0..<c { out[i * c + j] *= s }
        }
        return Tensor(shape: shape, scalars: out)
    }
}
