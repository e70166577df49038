import Testing
import TensorCore
@testable import NeuralNet

/// Every layer's hand-written backward pass against central differences in Double.
struct LayerGradientTests {
    static let tolerance = 1e-7

    func randomDense(_ i: Int, _ o: Int, rng: inout PRNG) -> Dense<Double> {
        Dense(
            weight: .uniform(shape: [o, i], low: -1, high: 1, using: &rng),
            bias: .uniform(shape: [o], low: -1, high: 1, using: &rng))
    }

    @Test func dense() {
        var rng = PRNG(seed: 1)
        let layer = randomDense(4, 3, rng: &rng)
        let e = layerGradientErrors(layer, input: .uniform(shape: [5, 4], low: -1, high: 1, using: &rng))
        #expect(e.input < Self.tolerance)
        #expect(e.parameters.allSatisfy { $0 < Self.tolerance }, "\(e.parameters)")
    }

    @Test(arguments: ["sigmoid", "tanh", "relu", "leaky-relu", "identity"])
    func activation(_ name: String) {
        var rng = PRNG(seed: 2)
        let layer: any Layer<Double> =
            switch name {
            case "sigmoid": Sigmoid()
            case "tanh": Tanh()
            case "relu": ReLU()
            case "leaky-relu": LeakyReLU(slope: 0.1)
            default: Identity()
            }
        let x = awayFromZero(shape: [4, 6], rng: &rng) * 3
        let e = layerGradientErrors(layer, input: x)
        #expect(e.input < Self.tolerance, "\(name): \(e.input)")
    }

    @Test func softmaxVectorJacobianProduct() {
        var rng = PRNG(seed: 3)
        let e = layerGradientErrors(Softmax<Double>(), input: .uniform(shape: [3, 5], low: -3, high: 3, using: &rng))
        #expect(e.input < Self.tolerance)
    }

    @Test func dropoutWithAFixedMaskInTrainingMode() {
        var rng = PRNG(seed: 4)
        let x = Tensor<Double>.uniform(shape: [6, 5], low: -1, high: 1, using: &rng)
        let layer = Dropout<Double>(rate: 0.4)
        let e = layerGradientErrors(layer, input: x, mode: .training)
        #expect(e.input < Self.tolerance)
        // The mask really drops and rescales: kept entries are x/0.6, dropped ones 0.
        var context = ForwardContext(mode: .training, rng: PRNG(seed: 5))
        let y = layer.forward(x, context: &context).output
        #expect(y.scalars.contains(0))
        for (a, b) in zip(y.scalars, x.scalars) where a != 0 { #expect(abs(a - b / 0.6) < 1e-12) }
        // Evaluation mode and a disabled layer are the identity.
        var eval = ForwardContext(mode: .evaluation)
        #expect(layer.forward(x, context: &eval).output == x)
        var off = layer; off.isEnabled = false
        var training = ForwardContext(mode: .training)
        #expect(off.forward(x, context: &training).output == x)
    }

    @Test(arguments: [(1, 0), (1, 1), (2, 1), (2, 0)])
    func conv2D(stride: Int, padding: Int) {
        var rng = PRNG(seed: 6)
        var layer = Conv2D<Double>(inputChannels: 2, outputChannels: 3, kernelSize: 3, stride: stride, padding: padding)
        layer.kernel = .uniform(shape: layer.kernel.shape, low: -1, high: 1, using: &rng)
        layer.bias = .uniform(shape: [3], low: -1, high: 1, using: &rng)
        let e = layerGradientErrors(layer, input: .uniform(shape: [2, 2, 6, 5], low: -1, high: 1, using: &rng))
        #expect(e.input < Self.tolerance)
        #expect(e.parameters.allSatisfy { $0 < Self.tolerance }, "\(e.parameters)")
    }

    @Test func conv2DMatchesADirectCrossCorrelation() {
        var rng = PRNG(seed: 7)
        var layer = Conv2D<Double>(inputChannels: 1, outputChannels: 1, kernelSize: 2, stride: 1, padding: 1)
        layer.kernel = Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4])
        layer.bias = Tensor([0.5])
        let x = Tensor<Double>(shape: [1, 1, 2, 2], scalars: [1, 0, 0, 1])
        var context = ForwardContext()
        let y = layer.forward(x, context: &context).output
        // Padded input is 4×4 with x in the middle; output 3×3, computed by hand.
        #expect(y.shape == [1, 1, 3, 3])
        #expect(y.scalars == [4.5, 3.5, 0.5, 2.5, 5.5, 3.5, 0.5, 2.5, 1.5])
        _ = rng.next()
    }

    @Test func maxPoolAndFlatten() {
        var rng = PRNG(seed: 8)
        // Distinct values, so no ties make the max non-differentiable.
        let values = rng.permutation(2 * 2 * 4 * 6).map { Double($0) / 7 }
        let x = Tensor(shape: [2, 2, 4, 6], scalars: values)
        #expect(layerGradientErrors(MaxPool2D<Double>(size: 2), input: x).input < Self.tolerance)
        #expect(layerGradientErrors(MaxPool2D<Double>(size: 3, stride: 1), input: x).input < Self.tolerance)
        #expect(layerGradientErrors(Flatten<Double>(), input: x).input < Self.tolerance)
    }

    @Test(arguments: [Float.self, Double.self] as [any TensorScalar.Type])
    func floatAndDoubleBackwardAgree(_ type: any TensorScalar.Type) throws {
        func run<S: TensorScalar>(_: S.Type) throws {
            var spec = ArchitectureSpec(layers: [6, 5, 4, 3], activation: .tanh, lambda: 0.3, seed: 9)
            spec.initializer = .xavierUniform
            let low: Sequential<S> = try spec.makeModel(sizes: [6, 5, 4, 3])
            let high: Sequential<Double> = try spec.makeModel(sizes: [6, 5, 4, 3])
            var rng = PRNG(seed: 10)
            let x = Tensor<Double>.uniform(shape: [7, 6], low: -1, high: 1, using: &rng)
            let y = Targets<Double>.classes((0..<7).map { $0 % 3 })
            var c1 = ForwardContext(), c2 = ForwardContext()
            let a = try low.evaluate(inputs: Tensor<S>(x), targets: .classes((0..<7).map { $0 % 3 }), context: &c1)
            let b = try high.evaluate(inputs: x, targets: y, context: &c2)
            let tol = S.self == Float.self ? 1e-5 : 1e-14
            #expect(abs(a.value - b.value) < tol * max(1, abs(b.value)))
            let ga = ParameterVector.flatten(a.gradients).map { Double($0) }
            #expect(maxRelativeError(ga, ParameterVector.flatten(b.gradients)) < tol)
        }
        try run(type)
    }
}
