import TensorCore

/// Where a layer is not differentiable, as the layer declares it (``Layer/kinks``). The gradient
/// checker compares a perturbed forward pass with the base one through this, so that an entry
/// whose perturbation crossed a kink is reported as such (`kink`) rather than as a wrong
/// gradient; a user's layer that declares its kinks is checked exactly like a built-in one.
///
/// - ``none``: differentiable everywhere (sigmoid, dense, softmax).
/// - ``elementwise(at:)``: y = f(x) element by element, with kinks at the inputs listed (ReLU:
///   `[0]`; a hard tanh: `[-1, 1]`). An element's branch is how many kinks lie below its input
///   (x > k counts; at a kink itself x is on the lower branch, matching f′(0) = 0 for ReLU).
/// - ``selection``: the layer picks among its inputs (max-pool); the tape's ``LayerTape/indices``
///   record the picks, and a different pick is a different branch.
public enum LayerKinks: Sendable, Hashable {
    case none
    case elementwise(at: [Double])
    case selection

    /// The kinks of an element-wise activation (``Activation/kinks``).
    public init(_ activation: Activation) {
        self = activation.kinks.isEmpty ? .none : .elementwise(at: activation.kinks)
    }

    /// The branch of an element-wise layer's input x: how many kinks lie below it.
    @inline(__always)
    public func branch<Scalar: TensorScalar>(_ x: Scalar) -> Int {
        guard case .elementwise(let points) = self else { return 0 }
        var b = 0
        for k in points where x > Scalar(k) { b += 1 }
        return b
    }

    /// Whether two forward passes through the layer (tapes `a` and `b` of the same batch) took
    /// the same branch at every kink.
    public func sameBranches<Scalar: TensorScalar>(_ a: LayerTape<Scalar>, _ b: LayerTape<Scalar>) -> Bool {
        switch self {
        case .none:
            return true
        case .selection:
            return a.indices == b.indices
        case .elementwise:
            precondition(a.input.shape == b.input.shape, "LayerKinks: inputs \(a.input.shape) and \(b.input.shape)")
            return a.input.withUnsafeBufferPointer { x in
                b.input.withUnsafeBufferPointer { y in
                    for i in x.indices where branch(x[i]) != branch(y[i]) { return false }
                    return true
                }
            }
        }
    }
}
