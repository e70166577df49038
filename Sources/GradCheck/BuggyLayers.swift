import NeuralNet
import TensorCore

// Deliberately wrong backward passes, each next to the mistake it makes. The forward passes are
// the correct layers', so the value is right and only the gradient is wrong — as in real bugs.

/// Sigmoid whose backward evaluates σ′ on the activation: σ(a)(1 − σ(a)) with a = σ(z),
/// instead of σ(z)(1 − σ(z)) = a(1 − a).
public struct SigmoidDerivativeOnActivation<Scalar: TensorScalar>: ElementwiseActivation {
    public init() {}
    public var kind: String { "sigmoid" }
    public func value(_ x: Scalar) -> Scalar { Scalar.sigmoid(x) }
    public func derivative(input x: Scalar, output y: Scalar) -> Scalar {
        let s = Scalar.sigmoid(y)
        return s * (1 - s)
    }
}

/// Softmax whose backward keeps only the Jacobian's diagonal: g ⊙ s(1 − s) instead of
/// s ⊙ (g − ⟨g, s⟩).
public struct SoftmaxDiagonalOnly<Scalar: TensorScalar>: Layer {
    public init() {}
    public var kind: String { "softmax" }
    public func outputShape(forInput s: [Int]) -> Result<[Int], ShapeMismatch> {
        Softmax<Scalar>().outputShape(forInput: s)
    }
    public func forward(_ input: Tensor<Scalar>, context: inout ForwardContext) -> LayerTape<Scalar> {
        Softmax<Scalar>().forward(input, context: &context)
    }
    public func backward(
        _ g: Tensor<Scalar>, tape: LayerTape<Scalar>, parameterGradients: inout [Tensor<Scalar>]
    ) -> Tensor<Scalar> {
        let s = tape.output
        return g * s * s.map { 1 - $0 }
    }
}

/// Dense whose backward has one of three mistakes.
public struct BuggyDense<Scalar: TensorScalar>: Layer {
    public enum Mistake: Sendable {
        /// ∂L/∂W computed as Xᵀ·δ (shape [in, out]) and written row-major into the [out, in] block.
        case transposedWeightGradient
        /// ∂L/∂b as the mean of δ over the batch instead of the sum (1/m applied twice).
        case biasMeanInsteadOfSum
        /// The parameter gradient assigned instead of accumulated: a reused parameter keeps only
        /// the contribution of the use processed last in backprop.
        case overwriteInsteadOfAccumulate
    }
    public var dense: Dense<Scalar>
    public var mistake: Mistake
    public init(_ dense: Dense<Scalar>, mistake: Mistake) { self.dense = dense; self.mistake = mistake }

    public var kind: String { "dense" }
    public var parameterSlots: [ParameterSlot] { dense.parameterSlots }
    public var parameters: [Tensor<Scalar>] {
        get { dense.parameters }
        set { dense.parameters = newValue }
    }
    public func outputShape(forInput s: [Int]) -> Result<[Int], ShapeMismatch> { dense.outputShape(forInput: s) }
    public func forward(_ input: Tensor<Scalar>, context: inout ForwardContext) -> LayerTape<Scalar> {
        dense.forward(input, context: &context)
    }
    public func backward(
        _ g: Tensor<Scalar>, tape: LayerTape<Scalar>, parameterGradients: inout [Tensor<Scalar>]
    ) -> Tensor<Scalar> {
        switch mistake {
        case .transposedWeightGradient:
            let wrong = Tensor.matmul(tape.input, .transposed, g, .none)  // [in, out]
            parameterGradients[0] += wrong.reshaped(to: parameterGradients[0].shape)
            parameterGradients[1] += g.sum(alongAxis: 0)
            return Tensor.matmul(g, .none, dense.weight, .none)
        case .biasMeanInsteadOfSum:
            var scratch = [
                Tensor<Scalar>(zeros: parameterGradients[0].shape), Tensor<Scalar>(zeros: parameterGradients[1].shape)
            ]
            let dx = dense.backward(g, tape: tape, parameterGradients: &scratch)
            parameterGradients[0] += scratch[0]
            parameterGradients[1] += g.mean(alongAxis: 0)
            return dx
        case .overwriteInsteadOfAccumulate:
            var fresh = [
                Tensor<Scalar>(zeros: parameterGradients[0].shape), Tensor<Scalar>(zeros: parameterGradients[1].shape)
            ]
            let dx = dense.backward(g, tape: tape, parameterGradients: &fresh)
            parameterGradients = fresh
            return dx
        }
    }
}

/// Conv2D whose input gradient uses the kernel without the flip that the adjoint of
/// cross-correlation needs (in im2col form: the spatially flipped kernel is used).
public struct ConvKernelNotFlipped<Scalar: TensorScalar>: Layer {
    public var conv: Conv2D<Scalar>
    public init(_ conv: Conv2D<Scalar>) { self.conv = conv }
    public var kind: String { "conv2d" }
    public var parameterSlots: [ParameterSlot] { conv.parameterSlots }
    public var parameters: [Tensor<Scalar>] {
        get { conv.parameters }
        set { conv.parameters = newValue }
    }
    public func outputShape(forInput s: [Int]) -> Result<[Int], ShapeMismatch> { conv.outputShape(forInput: s) }
    public func forward(_ input: Tensor<Scalar>, context: inout ForwardContext) -> LayerTape<Scalar> {
        conv.forward(input, context: &context)
    }
    public func backward(
        _ g: Tensor<Scalar>, tape: LayerTape<Scalar>, parameterGradients: inout [Tensor<Scalar>]
    ) -> Tensor<Scalar> {
        let k = conv.kernel
        let (o, c, h, w) = (k.shape[0], k.shape[1], k.shape[2], k.shape[3])
        var flipped = k
        for a in 0..<o {
            for b in 0..<c {
                for u in 0..<h {
                    for v in 0..<w {
                        flipped[flat: ((a * c + b) * h + u) * w + v] =
                            k.scalars[((a * c + b) * h + (h - 1 - u)) * w + (w - 1 - v)]
                    }
                }
            }
        }
        return conv.inputGradient(g, tape: tape, kernel: flipped, parameterGradients: &parameterGradients)
    }
}

/// Max-pool whose backward sends each window's gradient to the window's first (top-left)
/// element instead of the element that won the max.
public struct MaxPoolWrongRouting<Scalar: TensorScalar>: Layer {
    public var pool: MaxPool2D<Scalar>
    public init(_ pool: MaxPool2D<Scalar>) { self.pool = pool }
    public var kind: String { "maxpool2d" }
    public func outputShape(forInput s: [Int]) -> Result<[Int], ShapeMismatch> { pool.outputShape(forInput: s) }
    public func forward(_ input: Tensor<Scalar>, context: inout ForwardContext) -> LayerTape<Scalar> {
        pool.forward(input, context: &context)
    }
    public func backward(
        _ g: Tensor<Scalar>, tape: LayerTape<Scalar>, parameterGradients: inout [Tensor<Scalar>]
    ) -> Tensor<Scalar> {
        let s = tape.input.shape
        let (h, w) = (s[2], s[3])
        let (oh, ow) = (g.shape[2], g.shape[3])
        var dx = Tensor<Scalar>(zeros: s)
        for o in 0..<g.count {
            let plane = o / (oh * ow), i = (o % (oh * ow)) / ow, j = o % ow
            dx[flat: plane * h * w + (i * pool.stride) * w + j * pool.stride] += g.scalars[o]
        }
        return dx
    }
}

/// A loss whose gradient has the sign flipped: the output delta y − a instead of a − y.
public struct OutputDeltaSignFlipped<Scalar: TensorScalar>: Loss {
    public var base: any Loss<Scalar>
    public init(_ base: any Loss<Scalar>) { self.base = base }
    public var kind: String { base.kind }
    public func evaluate(
        _ output: Tensor<Scalar>, targets: Targets<Scalar>
    ) -> (value: Double, gradient: Tensor<Scalar>) {
        let (v, g) = base.evaluate(output, targets: targets)
        return (v, -g)
    }
}
