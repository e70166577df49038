import TensorCore

/// Inverted dropout (Srivastava et al. 2014): in training mode each unit is kept with
/// probability p = 1 − rate and scaled by 1/p; in evaluation mode it is the identity.
///
/// The mask is drawn from the context's seeded generator, so a run is reproducible. Gradient
/// checks evaluate in `.evaluation` mode, or set ``isEnabled`` to false: a mask that changes
/// between evaluations makes finite differences meaningless (the checker reports that as
/// `nondeterministic`).
public struct Dropout<Scalar: TensorScalar>: Layer {
    public var rate: Scalar
    /// When false the layer is the identity in every mode.
    public var isEnabled: Bool = true

    public init(rate: Scalar) {
        precondition(rate >= 0 && rate < 1, "Dropout rate must be in [0, 1), got \(rate)")
        self.rate = rate
    }

    public var kind: String { "dropout" }
    public func outputShape(forInput inputShape: [Int]) -> Result<[Int], ShapeMismatch> { .success(inputShape) }

    public func forward(_ input: Tensor<Scalar>, context: inout ForwardContext) -> LayerTape<Scalar> {
        guard isEnabled, context.mode == .training, rate > 0 else {
            return LayerTape(input: input, output: input)
        }
        let keep = 1 - rate
        var mask = Tensor<Scalar>(zeros: input.shape)
        mask.withUnsafeMutableBufferPointer { m in
            for i in m.indices { m[i] = Scalar(context.rng.nextDouble()) < keep ? 1 / keep : 0 }
        }
        var tape = LayerTape(input: input, output: input * mask)
        tape.auxiliary = [mask]
        return tape
    }

    public func backward(
        _ outputGradient: Tensor<Scalar>, tape: LayerTape<Scalar>,
        parameterGradients: inout [Tensor<Scalar>]
    ) -> Tensor<Scalar> {
        guard let mask = tape.auxiliary.first else { return outputGradient }
        return outputGradient * mask
    }
}
