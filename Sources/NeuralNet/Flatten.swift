import TensorCore

/// Reshapes `[N, d₁, d₂, …]` to `[N, d₁·d₂·…]`; backward reshapes back.
public struct Flatten<Scalar: TensorScalar>: Layer {
    public init() {}
    public var kind: String { "flatten" }
    public func outputShape(forInput s: [Int]) -> Result<[Int], ShapeMismatch> { .success([s.reduce(1, *)]) }
    public func forward(_ input: Tensor<Scalar>, context: inout ForwardContext) -> LayerTape<Scalar> {
        let n = input.shape.first ?? 0
        return LayerTape(input: input, output: input.reshaped(to: [n, n == 0 ? 0 : input.count / n]))
    }
    public func backward(
        _ outputGradient: Tensor<Scalar>, tape: LayerTape<Scalar>,
        parameterGradients: inout [Tensor<Scalar>]
    ) -> Tensor<Scalar> {
        outputGradient.reshaped(to: tape.input.shape)
    }
}
