// Hot loops in TensorCore and Training are generic over the element type, but a generic function called
// with an unknown `Scalar` runs unspecialised: every `+` and `*` becomes a protocol call, some
// fifty times slower than the machine instruction. Each public kernel therefore tests
// `Scalar.self` once per call and hands its pointers, rebound to `Float` or `Double`, to a
// generic implementation that the compiler specialises for that concrete type.

extension UnsafePointer {
    /// The same address typed as `T` (which must be the pointee's actual type).
    @inline(__always)
    package func rebound<T>(to _: T.Type) -> UnsafePointer<T> {
        UnsafeRawPointer(self).assumingMemoryBound(to: T.self)
    }
}

extension UnsafeMutablePointer {
    /// The same address typed as `T` (which must be the pointee's actual type).
    @inline(__always)
    package func rebound<T>(to _: T.Type) -> UnsafeMutablePointer<T> {
        UnsafeMutableRawPointer(self).assumingMemoryBound(to: T.self)
    }
}

/// Which concrete type a generic `Scalar` is, so that kernels can specialise.
package enum ConcreteScalar {
    case float, double, other

    @inline(__always)
    package static func of<S: TensorScalar>(_: S.Type) -> ConcreteScalar {
        if S.self == Float.self { return .float }
        if S.self == Double.self { return .double }
        return .other
    }
}
