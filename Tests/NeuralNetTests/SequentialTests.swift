import Testing
import TensorCore
@testable import NeuralNet

struct SequentialTests {
    func smallModel(lambda: Double = 0) throws -> Sequential<Double> {
        try ArchitectureSpec(layers: [4, 5, 3], activation: .tanh, lambda: lambda, initializer: .xavierUniform, seed: 3)
            .makeModel(sizes: [4, 5, 3])
    }

    @Test func blocksAreNamedAndUnrolledInOrder() throws {
        var model = try smallModel()
        #expect(model.parameterBlocks.map(\.name) == ["layer1.weight", "layer1.bias", "layer2.weight", "layer2.bias"])
        #expect(model.parameterBlocks.map(\.shape) == [[5, 4], [5], [3, 5], [3]])
        #expect(model.parameterBlocks.map(\.offset) == [0, 20, 25, 40])
        #expect(model.parameterCount == 43)
        let v = (0..<43).map(Double.init)
        model.flatParameters = v
        #expect(model.flatParameters == v)
        let dense = try #require(model.layers[2] as? Dense<Double>)
        #expect(dense.weight.scalars == Array(v[25..<40]))
        #expect(dense.bias.scalars == [40, 41, 42])
    }

    /// Layers change only through checked mutators, so the blocks always describe them.
    @Test func layersChangeThroughCheckedMutators() throws {
        var model = try smallModel()
        let blocks = model.parameterBlocks
        model.replaceLayer(1, with: ReLU<Double>())
        #expect(model.layers[1].kind == "relu")
        #expect(model.parameterBlocks == blocks)
        let before = try #require(model.layers[0] as? Dense<Double>).weight.scalars
        model.updateParameter(layer: 0, slot: 0) { w in
            w.withUnsafeMutableBufferPointer { for i in $0.indices { $0[i] *= 2 } }
        }
        let after = try #require(model.layers[0] as? Dense<Double>).weight.scalars
        #expect(after == before.map { $0 * 2 })
    }

    @Test func costMatchesCentralDifferencesWithRegularisation() throws {
        let model = try smallModel(lambda: 0.7)
        var rng = PRNG(seed: 4)
        let x = Tensor<Double>.uniform(shape: [6, 4], low: -1, high: 1, using: &rng)
        let y = Targets<Double>.classes([0, 1, 2, 2, 1, 0])
        let theta = model.flatParameters
        let (_, analytic) = try model.cost(at: theta, inputs: x, targets: y)
        let numeric = centralDifferences(at: theta) { try! model.cost(at: $0, inputs: x, targets: y).value }
        #expect(maxRelativeError(analytic, numeric) < 1e-8)
    }

    @Test func regularizationSkipsBiasesUnlessAsked() throws {
        var model = try smallModel(lambda: 2)
        var rng = PRNG(seed: 5)
        let x = Tensor<Double>.uniform(shape: [4, 4], low: -1, high: 1, using: &rng)
        let y = Targets<Double>.classes([0, 1, 2, 0])
        var c = ForwardContext()
        let without = try model.evaluate(inputs: x, targets: y, context: &c)
        let weights = model.parameters
        let expected = (weights[0].scalars + weights[2].scalars).map { $0 * $0 }.reduce(0, +) * 2 / (2 * 4)
        #expect(abs(without.regularizationLoss - expected) < 1e-14)
        model.regularization.includeBiases = true
        let with = try model.evaluate(inputs: x, targets: y, context: &c)
        let biases = (weights[1].scalars + weights[3].scalars).map { $0 * $0 }.reduce(0, +) * 2 / 8
        #expect(abs(with.regularizationLoss - expected - biases) < 1e-14)
        // The bias gradient differs by exactly λ/m·b.
        for (a, (b, t)) in zip(with.gradients[1].scalars, zip(without.gradients[1].scalars, weights[1].scalars)) {
            #expect(abs(a - b - 0.5 * t) < 1e-14)
        }
    }

    /// A parameter used twice (layers 1 and 3 tied) accumulates both contributions.
    @Test func tiedParameterAccumulatesItsGradient() throws {
        var model = try Sequential<Double>(
            inputShape: [3],
            layers: [Dense(inputSize: 3, outputSize: 3), Tanh(), Dense(inputSize: 3, outputSize: 3)],
            loss: MeanSquaredError())
        var rng = PRNG(seed: 6)
        model.parameters = model.parameterBlocks.map { Tensor.uniform(shape: $0.shape, low: -1, high: 1, using: &rng) }
        try model.tie(2, to: 0)
        #expect(model.parameterBlocks.map(\.name) == ["layer1.weight", "layer1.bias"])
        let x = Tensor<Double>.uniform(shape: [4, 3], low: -1, high: 1, using: &rng)
        let y = Targets<Double>.dense(.uniform(shape: [4, 3], using: &rng))
        let theta = model.flatParameters
        let (_, analytic) = try model.cost(at: theta, inputs: x, targets: y)
        let numeric = centralDifferences(at: theta) { try! model.cost(at: $0, inputs: x, targets: y).value }
        #expect(maxRelativeError(analytic, numeric) < 1e-8)
        // Only the second use's contribution would be visibly wrong.
        var c = ForwardContext()
        let e = try model.evaluate(inputs: x, targets: y, context: &c)
        let tapes = e.tapes
        var secondOnly = model.layers[2].parameterSlots.map { Tensor<Double>(zeros: $0.shape) }
        let (_, dOut) = model.loss.evaluate(e.output, targets: y)
        _ = model.layers[2].backward(dOut, tape: tapes[2], parameterGradients: &secondOnly)
        #expect(maxRelativeError(ParameterVector.flatten(secondOnly), numeric) > 1e-3)
    }

    @Test func badInputGivesClearErrors() throws {
        let model = try smallModel()
        var c = ForwardContext()
        #expect(throws: ModelError.inputShapeMismatch(expected: [4], got: [5])) {
            try model.evaluate(inputs: Tensor(zeros: [2, 5]), targets: .classes([0, 1]), context: &c)
        }
        #expect(throws: ModelError.labelOutOfRange(index: 1, label: 3, classes: 3)) {
            try model.evaluate(inputs: Tensor(zeros: [2, 4]), targets: .classes([0, 3]), context: &c)
        }
        #expect(throws: ModelError.emptyBatch) {
            try model.evaluate(inputs: Tensor(zeros: [0, 4]), targets: .classes([]), context: &c)
        }
        var x = Tensor<Double>(zeros: [2, 4]); x[1, 2] = .nan
        #expect(throws: ModelError.nonFinite(what: "inputs", offset: 6)) {
            try model.evaluate(inputs: x, targets: .classes([0, 1]), context: &c)
        }
        #expect(throws: ModelError.targetShapeMismatch(expected: "2 examples", got: "3")) {
            try model.evaluate(inputs: Tensor(zeros: [2, 4]), targets: .classes([0, 1, 2]), context: &c)
        }
        #expect(throws: ModelError.parameterCountMismatch(expected: 43, got: 2)) {
            try model.cost(at: [1, 2], inputs: Tensor(zeros: [2, 4]), targets: .classes([0, 1]))
        }
        do {
            _ = try Sequential<Double>(
                inputShape: [4], layers: [Dense(inputSize: 4, outputSize: 5), Dense(inputSize: 6, outputSize: 2)],
                loss: SoftmaxCrossEntropy())
            Issue.record("a shape mismatch between layers was accepted")
        } catch {
            #expect(
                error.description
                    == "layer 2 (dense) cannot take input of shape [5]: expects 6 features per example (weight [2, 6]), got [5]"
            )
        }
    }

    @Test func architectureFlagsAreValidated() {
        #expect(throws: ModelError.self) { try ArchitectureSpec(preset: .ex4Debug, layers: [3, 3]).validate() }
        #expect(throws: ModelError.self) { try ArchitectureSpec(layers: [3]).validate() }
        #expect(throws: ModelError.self) { try ArchitectureSpec(hidden: [0]).validate() }
        #expect(throws: ModelError.self) { try ArchitectureSpec(lambda: -1).validate() }
        #expect(throws: ModelError.self) { try ArchitectureSpec(layers: [3, 4]).sizes(inputSize: 64, outputSize: 10) }
        #expect((try? ArchitectureSpec(hidden: [7]).sizes(inputSize: 64, outputSize: 10)) == [64, 7, 10])
    }
}
