import CustomLayer
import GradScopeTesting
import Testing

struct SwishTests {
    func layer<S: TensorScalar>(_: S.Type) -> Swish<S> {
        var swish = Swish<S>(features: 4)
        swish.beta = Tensor([0.5, 1.0, -0.75, 2.0])
        return swish
    }

    func batch<S: TensorScalar>(_: S.Type) -> Tensor<S> {
        var rng = PRNG(seed: 7)
        return .normal(shape: [5, 4], using: &rng)
    }

    /// ∂L/∂input and ∂L/∂beta against numerical derivatives, for a random cotangent, in
    /// Float and Double; and backward adds into the gradient buffer.
    @Test(arguments: [Float.self, Double.self] as [any TensorScalar.Type])
    func backwardMatchesNumericalDerivatives(_ type: any TensorScalar.Type) {
        func run<S: TensorScalar>(_: S.Type) {
            expectLayerGradientsMatch(layer(S.self), input: batch(S.self))
        }
        run(type)
    }

    /// The layer inside a model, with the model's loss and L2 term.
    @Test func insideAModel() throws {
        var rng = PRNG(seed: 3)
        var model = try Sequential<Double>(
            inputShape: [3],
            layers: [Dense(inputSize: 3, outputSize: 4), layer(Double.self), Dense(inputSize: 4, outputSize: 2)],
            loss: SoftmaxCrossEntropy(), regularization: L2Regularization(lambda: 0.1))
        Initializer.xavierUniform.initialize(&model, rng: &rng)
        let inputs = Tensor<Double>.normal(shape: [6, 3], using: &rng)
        expectGradientsMatch(model: model, inputs: inputs, targets: .classes([0, 1, 1, 0, 1, 0]))
    }
}
