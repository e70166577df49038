import RealModule

// Element-wise functions. Each returns a new tensor of the same shape.
extension Tensor {
    /// Applies `f` to every element.
    @inlinable
    public func map(_ f: (Scalar) -> Scalar) -> Tensor {
        var out = scalars
        out.withUnsafeMutableBufferPointer { o in
            for i in o.indices { o[i] = f(o[i]) }
        }
        return Tensor(shape: shape, scalars: out)
    }

    /// Applies `f` to every element in place.
    @inlinable
    public mutating func update(_ f: (Scalar) -> Scalar) {
        _scalars.withUnsafeMutableBufferPointer { o in
            for i in o.indices { o[i] = f(o[i]) }
        }
    }

    public func exp() -> Tensor {
        var out = self
        scalars.withUnsafeBufferPointer { x in
            out._scalars.withUnsafeMutableBufferPointer { y in Scalar.exp(x, into: y) }
        }
        return out
    }
    @inlinable public func log() -> Tensor { map { Scalar.log($0) } }
    @inlinable public func tanh() -> Tensor { map { Scalar.tanh($0) } }
    @inlinable public func squareRoot() -> Tensor { map { $0.squareRoot() } }
    @inlinable public func squared() -> Tensor { map { $0 * $0 } }
    @inlinable public func abs() -> Tensor { map { Swift.abs($0) } }
    /// The logistic function σ(x) = 1 / (1 + e^(−x)), evaluated without overflow for x ≪ 0.
    public func sigmoid() -> Tensor {
        var out = self
        scalars.withUnsafeBufferPointer { x in
            out._scalars.withUnsafeMutableBufferPointer { y in Scalar.sigmoid(x, into: y) }
        }
        return out
    }
    /// max(x, 0).
    @inlinable public func relu() -> Tensor { map { $0 > 0 ? $0 : 0 } }
}

extension TensorScalar {
    /// σ(x) = 1/(1 + e^(−x)); for x < 0 computed as e^x/(1 + e^x) so that e^(−x) cannot overflow.
    @inlinable
    public static func sigmoid(_ x: Self) -> Self {
        if x >= 0 { return 1 / (1 + Self.exp(-x)) }
        let e = Self.exp(x)
        return e / (1 + e)
    }
}
