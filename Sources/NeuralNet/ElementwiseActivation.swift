import TensorCore

/// A parameter-free layer applying y = f(x) to every element. Backward multiplies the
/// incoming gradient by f′, which each activation gives in terms of x and/or y.
public protocol ElementwiseActivation: Layer {
    /// f(x).
    func value(_ x: Scalar) -> Scalar
    /// f′ at x, where y = f(x) is also supplied (σ′ = y(1 − y) needs only y).
    func derivative(input x: Scalar, output y: Scalar) -> Scalar
}

extension ElementwiseActivation {
    public func outputShape(forInput inputShape: [Int]) -> Result<[Int], ShapeMismatch> { .success(inputShape) }

    public func forward(_ input: Tensor<Scalar>, context: inout ForwardContext) -> LayerTape<Scalar> {
        LayerTape(input: input, output: input.map(value))
    }

    public func backward(
        _ outputGradient: Tensor<Scalar>, tape: LayerTape<Scalar>,
        parameterGradients: inout [Tensor<Scalar>]
    ) -> Tensor<Scalar> {
        precondition(
            outputGradient.shape == tape.output.shape,
            "\(kind).backward: gradient \(outputGradient.shape), output \(tape.output.shape)")
        var g = outputGradient
        g.withUnsafeMutableBufferPointer { gp in
            tape.input.withUnsafeBufferPointer { xp in
                tape.output.withUnsafeBufferPointer { yp in
                    for i in gp.indices { gp[i] *= derivative(input: xp[i], output: yp[i]) }
                }
            }
        }
        return g
    }
}

/// The logistic sigmoid σ(x) = 1/(1 + e^(−x)); σ′ = σ(1 − σ).
public struct Sigmoid<Scalar: TensorScalar>: ElementwiseActivation {
    public init() {}
    public var kind: String { Activation.sigmoid.name }
    public var activation: Activation? { .sigmoid }
    public func value(_ x: Scalar) -> Scalar { Activation.sigmoid.value(x) }
    public func derivative(input x: Scalar, output y: Scalar) -> Scalar { Activation.sigmoid.derivative(output: y) }

    // The same maths on whole tensors: the vectorised σ of `ScalarKernels` and y(1 − y).
    public func forward(_ input: Tensor<Scalar>, context: inout ForwardContext) -> LayerTape<Scalar> {
        LayerTape(input: input, output: input.sigmoid())
    }

    public func backward(
        _ outputGradient: Tensor<Scalar>, tape: LayerTape<Scalar>,
        parameterGradients: inout [Tensor<Scalar>]
    ) -> Tensor<Scalar> {
        precondition(
            outputGradient.shape == tape.output.shape,
            "sigmoid.backward: gradient \(outputGradient.shape), output \(tape.output.shape)")
        var g = outputGradient
        g.withUnsafeMutableBufferPointer { gp in
            tape.output.withUnsafeBufferPointer { Scalar.sigmoidBackward(gp, output: $0) }
        }
        return g
    }
}

/// tanh; tanh′ = 1 − tanh².
public struct Tanh<Scalar: TensorScalar>: ElementwiseActivation {
    public init() {}
    public var kind: String { Activation.tanh.name }
    public var activation: Activation? { .tanh }
    public func value(_ x: Scalar) -> Scalar { Activation.tanh.value(x) }
    public func derivative(input x: Scalar, output y: Scalar) -> Scalar { Activation.tanh.derivative(output: y) }
}

/// max(x, 0). The derivative at the kink x = 0 is taken as 0 (PyTorch's convention);
/// the gradient checker reports entries whose perturbation crosses it as `kink`.
public struct ReLU<Scalar: TensorScalar>: ElementwiseActivation {
    public init() {}
    public var kind: String { Activation.relu.name }
    public var activation: Activation? { .relu }
    public var kinks: LayerKinks { .elementwise(at: [0]) }
    public func value(_ x: Scalar) -> Scalar { Activation.relu.value(x) }
    public func derivative(input x: Scalar, output y: Scalar) -> Scalar { Activation.relu.derivative(output: y) }
}

/// x for x > 0, αx otherwise (Maas et al. 2013); α = 0.01 by default, α ≥ 0.
public struct LeakyReLU<Scalar: TensorScalar>: ElementwiseActivation {
    public private(set) var slope: Scalar
    public init(slope: Scalar = 0.01) {
        precondition(slope >= 0 && slope.isFinite, "LeakyReLU: slope \(slope) must be finite and ≥ 0")
        self.slope = slope
    }
    public var kind: String { Activation.leakyReLU(slope: 0).name }
    public var activation: Activation? { .leakyReLU(slope: Double(slope)) }
    public var kinks: LayerKinks { .elementwise(at: [0]) }
    public func value(_ x: Scalar) -> Scalar { x > 0 ? x : slope * x }
    public func derivative(input x: Scalar, output y: Scalar) -> Scalar { y > 0 ? 1 : slope }
}

/// The identity, for output layers without an activation.
public struct Identity<Scalar: TensorScalar>: ElementwiseActivation {
    public init() {}
    public var kind: String { Activation.identity.name }
    public var activation: Activation? { .identity }
    public func value(_ x: Scalar) -> Scalar { Activation.identity.value(x) }
    public func derivative(input x: Scalar, output y: Scalar) -> Scalar { Activation.identity.derivative(output: y) }
}
