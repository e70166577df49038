import NeuralNet
import TensorCore

/// Swish with a learnable slope per feature (Ramachandran, Zoph & Le 2017):
/// yᵢⱼ = xᵢⱼ·σ(βⱼ·xᵢⱼ) for example i and feature j.
///
/// Backward, with s = σ(βⱼxᵢⱼ) and σ′ = s(1 − s), for δ = ∂L/∂y:
/// - ∂L/∂xᵢⱼ = δᵢⱼ·(s + βⱼxᵢⱼ·s(1 − s))   (product rule: both factors depend on x)
/// - ∂L/∂βⱼ = Σᵢ δᵢⱼ·xᵢⱼ²·s(1 − s)        (summed over the batch, ADDED into the buffer)
public struct Swish<Scalar: TensorScalar>: Layer {
    /// One slope per feature, shape `[features]`.
    public var beta: Tensor<Scalar>

    public init(features: Int, beta: Scalar = 1) {
        self.beta = Tensor(repeating: beta, shape: [features])
    }

    public var kind: String { "swish" }
    public var features: Int { beta.count }

    public var parameterSlots: [ParameterSlot] {
        [ParameterSlot(name: "beta", shape: [features], role: .weight)]
    }

    public var parameters: [Tensor<Scalar>] {
        get { [beta] }
        set {
            precondition(newValue.count == 1 && newValue[0].shape == [features], "Swish: parameters \(newValue.map(\.shape))")
            beta = newValue[0]
        }
    }

    public func outputShape(forInput inputShape: [Int]) -> Result<[Int], ShapeMismatch> {
        inputShape == [features] ? .success(inputShape)
            : .failure(ShapeMismatch("swish expects \(features) features, got \(inputShape)"))
    }

    public func forward(_ input: Tensor<Scalar>, context: inout ForwardContext) -> LayerTape<Scalar> {
        precondition(input.rank == 2 && input.shape[1] == features, "Swish.forward: input \(input.shape), \(features) features")
        var y = input
        for i in 0..<input.shape[0] {
            for j in 0..<features {
                let x = input[i, j]
                y[flat: i * features + j] = x * Scalar.sigmoid(beta.scalars[j] * x)
            }
        }
        return LayerTape(input: input, output: y)
    }

    public func backward(_ outputGradient: Tensor<Scalar>, tape: LayerTape<Scalar>,
                         parameterGradients: inout [Tensor<Scalar>]) -> Tensor<Scalar> {
        var dx = outputGradient
        for i in 0..<outputGradient.shape[0] {
            for j in 0..<features {
                let x = tape.input[i, j], b = beta.scalars[j], d = outputGradient[i, j]
                let s = Scalar.sigmoid(b * x)
                let ds = s * (1 - s)
                dx[flat: i * features + j] = d * (s + b * x * ds)
                parameterGradients[0][flat: j] += d * x * x * ds
            }
        }
        return dx
    }
}
