/// The vectorised form of ``Activation``'s functions and derivatives on raw buffers, specialised for
/// `Float` and `Double` (see `PointerCasts.swift`). Derivatives are written in terms of the
/// output y = f(x) only, which is what the training workspace keeps:
///
/// | f | f′ from y |
/// |---|---|
/// | σ(x) = 1/(1 + e^(−x)) | y(1 − y) |
/// | tanh x | 1 − y² |
/// | max(x, 0) | 1 if y > 0 else 0 (0 at the kink, as `ReLU` does) |
/// | x if x > 0 else αx, α ≥ 0 | 1 if y > 0 else α |
///
/// `Float` uses ``fastExp(_:)``; `Double` uses libm's `exp` and `tanh`. Large buffers are split
/// over the cores (``ParallelChunks``; element-wise, so the split changes no result).
///
/// These loops are the training path's activations; the fused GEMM epilogues
/// (`CGemmKernels/epilogue_template.h`) apply the same expressions and give the same bits
/// (`GEMMEpilogueTests`), and both agree with the definition ``Activation/value(_:)`` and
/// ``Activation/derivative(output:)`` within 2 ulp (`ActivationKernelTests`).
package enum ActivationKernels {
    package typealias Function = Activation

    /// y[i] = f(x[i]) for i in 0..<count. `x` and `y` may be the same buffer.
    package static func forward<S: TensorScalar>(
        _ f: Function, _ x: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>, count: Int
    ) {
        ParallelChunks.run(count) { o, c in
            switch ConcreteScalar.of(S.self) {
            case .float: forwardFloat(f, x.rebound(to: Float.self) + o, y.rebound(to: Float.self) + o, c)
            case .double: forwardGeneric(f, x.rebound(to: Double.self) + o, y.rebound(to: Double.self) + o, c)
            case .other: forwardGeneric(f, x + o, y + o, c)
            }
        }
    }

    /// g[i] *= f′ expressed through y[i].
    package static func backward<S: TensorScalar>(
        _ f: Function, output y: UnsafePointer<S>, gradient g: UnsafeMutablePointer<S>, count: Int
    ) {
        ParallelChunks.run(count) { o, c in
            switch ConcreteScalar.of(S.self) {
            case .float: backwardGeneric(f, y.rebound(to: Float.self) + o, g.rebound(to: Float.self) + o, c)
            case .double: backwardGeneric(f, y.rebound(to: Double.self) + o, g.rebound(to: Double.self) + o, c)
            case .other: backwardGeneric(f, y + o, g + o, c)
            }
        }
    }

    static func forwardFloat(_ f: Function, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        switch f {
        case .sigmoid:
            for i in 0..<n { y[i] = 1 / (1 + fastExp(-x[i])) }
        case .tanh:
            // tanh|x| = (1 − e^(−2|x|))/(1 + e^(−2|x|)); below |x| = 1/16 that loses relative
            // accuracy to cancellation, so the odd Taylor series x − x³/3 + 2x⁵/15 − 17x⁷/315
            // (truncation < 2·10⁻¹³ there) is used instead.
            for i in 0..<n {
                let v = x[i], a = Swift.abs(v)
                let t = fastExp(-2 * a)
                let big = (1 - t) / (1 + t)
                let a2 = a * a
                let small = a * (1 + a2 * (-1.0 / 3 + a2 * (2.0 / 15 + a2 * (-17.0 / 315))))
                let magnitude = a < 0.0625 ? small : big
                y[i] = v < 0 ? -magnitude : magnitude
            }
        default:
            forwardGeneric(f, x, y, n)
        }
    }

    static func forwardGeneric<T: TensorScalar>(
        _ f: Function, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int
    ) {
        switch f {
        case .sigmoid: for i in 0..<n { y[i] = T.sigmoid(x[i]) }
        case .tanh: for i in 0..<n { y[i] = T.tanh(x[i]) }
        case .relu: for i in 0..<n { let v = x[i]; y[i] = v > 0 ? v : 0 }
        case .leakyReLU(let slope):
            let s = T(slope)
            for i in 0..<n { let v = x[i]; y[i] = v > 0 ? v : s * v }
        case .identity: if UnsafePointer(y) != x { y.update(from: x, count: n) }
        }
    }

    static func backwardGeneric<T: TensorScalar>(
        _ f: Function, _ y: UnsafePointer<T>, _ g: UnsafeMutablePointer<T>, _ n: Int
    ) {
        switch f {
        case .sigmoid: for i in 0..<n { let v = y[i]; g[i] *= v * (1 - v) }
        case .tanh: for i in 0..<n { let v = y[i]; g[i] *= 1 - v * v }
        case .relu: for i in 0..<n { g[i] = y[i] > 0 ? g[i] : 0 }
        case .leakyReLU(let slope):
            let s = T(slope)
            for i in 0..<n { g[i] = y[i] > 0 ? g[i] : s * g[i] }
        case .identity: break
        }
    }
}
