import Foundation
import NeuralNet
import TensorCore
import Testing
@testable import Training

/// The workspace computes what `Sequential.evaluateUnchecked` computes, for every layer kind
/// and loss it specialises and for the ones it delegates.
struct TrainingWorkspaceTests {
    func compare<S: TensorScalar>(
        _ model: Sequential<S>, inputs: Tensor<S>, targets: Targets<S>, rows: [Int],
        tolerance: Double, _ label: String
    ) {
        let workspace = TrainingWorkspace(model: model, capacity: 8)
        workspace.loadBatch(rows: rows, of: inputs)
        var context = ForwardContext(mode: .training, rng: PRNG(seed: 3))
        workspace.forward(model, context: &context)
        let (value, dataLoss) = workspace.backward(model, targets: targets.selecting(rows))

        let batch = Tensor(
            shape: [rows.count] + model.inputShape,
            scalars: rows.flatMap { r in
                inputs.scalars[(r * model.inputShape.reduce(1, *))..<((r + 1) * model.inputShape.reduce(1, *))]
            })
        var referenceContext = ForwardContext(mode: .training, rng: PRNG(seed: 3))
        let reference = model.evaluateUnchecked(
            inputs: batch, targets: targets.selecting(rows), context: &referenceContext)
        #expect(
            abs(value - reference.value) <= tolerance * max(1, abs(reference.value)),
            "\(label): loss \(value) vs \(reference.value)")
        #expect(abs(dataLoss - reference.dataLoss) <= tolerance * max(1, abs(reference.dataLoss)), "\(label)")
        #expect(
            maxRelativeDifference(Array(workspace.output), reference.output.scalars) <= tolerance, "\(label): output")
        for (b, (got, want)) in zip(workspace.gradients, reference.gradients).enumerated() {
            #expect(
                maxRelativeDifference(got.scalars, want.scalars) <= tolerance,
                "\(label): gradient of \(model.parameterBlocks[b].name) differs by \(maxRelativeDifference(got.scalars, want.scalars))"
            )
        }
    }

    @Test(arguments: ActivationKind.allCases, LossKind.allCases)
    func denseNetworksMatchSequential(activation: ActivationKind, loss: LossKind) throws {
        func run<S: TensorScalar>(_: S.Type, tolerance: Double) throws {
            let data: ExampleSet<S> = Fixtures.blobs(count: 12, features: 5, classes: 4)
            let model: Sequential<S> = try Fixtures.model(
                sizes: [5, 7, 6, 4], activation: activation, loss: loss, lambda: 0.3)
            compare(
                model, inputs: data.inputs, targets: data.targets, rows: [3, 0, 11, 5, 7], tolerance: tolerance,
                "\(S.self) \(activation) \(loss)")
        }
        // Float's sigmoid and tanh use the vectorised e^x (≤ 2 ulp), hence the looser bound.
        try run(Float.self, tolerance: 2e-5)
        try run(Double.self, tolerance: 1e-13)
    }

    /// The fused step (weight update inside the weight-gradient GEMM) matches backward followed
    /// by the optimizer's own update, for SGD and classical momentum, over several steps; and
    /// optimizers that cannot fuse (Nesterov, Adam, weight decay) get exactly their own update.
    @Test(arguments: [
        OptimizerConfiguration(kind: .sgd, learningRate: 0.1),
        OptimizerConfiguration(kind: .momentum, learningRate: 0.05, momentum: 0.9),
        OptimizerConfiguration(kind: .nesterov, learningRate: 0.05, momentum: 0.9),
        OptimizerConfiguration(kind: .adam, learningRate: 0.01),
        OptimizerConfiguration(kind: .momentum, learningRate: 0.05, momentum: 0.9, weightDecay: 0.01)
    ])
    func fusedStepMatchesBackwardThenUpdate(configuration: OptimizerConfiguration) throws {
        let data: ExampleSet<Double> = Fixtures.blobs(count: 12, features: 5, classes: 4)
        let start: Sequential<Double> = try Fixtures.model(
            sizes: [5, 7, 6, 4], activation: .tanh, loss: .softmaxCE, lambda: 0)
        let targets = data.targets.selecting([3, 0, 11, 5, 7])
        var (fusedModel, plainModel) = (start, start)
        var fused = configuration.makeOptimizer(for: start), plain = configuration.makeOptimizer(for: start)
        let workspace = TrainingWorkspace(model: start, capacity: 8)
        for _ in 0..<4 {
            workspace.loadBatch(rows: [3, 0, 11, 5, 7], of: data.inputs)
            var context = ForwardContext(mode: .training)
            workspace.forward(fusedModel, context: &context)
            let a = workspace.backwardAndUpdate(&fusedModel, targets: targets, optimizer: &fused)
            // A fused step wrote no weight gradients; `gradients` says so instead of returning stale ones.
            #expect(workspace.gradientsAreCurrent == (fused.fusion == nil))
            workspace.forward(plainModel, context: &context)
            let b = workspace.backward(plainModel, targets: targets)
            plain.update(&plainModel, along: workspace.gradients)
            #expect(abs(a.value - b.value) <= 1e-12)
        }
        let exact = fused.fusion == nil
        #expect(
            exact
                == !(configuration.kind == .sgd || (configuration.kind == .momentum && configuration.weightDecay == 0)))
        #expect(maxRelativeDifference(fusedModel.flatParameters, plainModel.flatParameters) <= (exact ? 0 : 1e-12))
        #expect(fused.state.step == plain.state.step)
        for (name, tensors) in plain.state.slots {
            for (x, y) in zip(fused.state.slots[name] ?? [], tensors) {
                #expect(maxRelativeDifference(x.scalars, y.scalars) <= (exact ? 0 : 1e-12), "\(name)")
            }
        }
    }

    /// Convolution, pooling, flatten and dropout go through the layers' own passes.
    @Test func delegatedLayersMatchSequential() throws {
        var rng = PRNG(seed: 9)
        var conv = Conv2D<Double>(inputChannels: 1, outputChannels: 2, kernelSize: 3, padding: 1)
        conv.kernel = .normal(shape: conv.kernel.shape, standardDeviation: 0.5, using: &rng)
        conv.bias = Tensor([0.1, -0.2])
        var dense = Dense<Double>(inputSize: 2 * 2 * 2, outputSize: 3)
        dense.weight = .normal(shape: dense.weight.shape, standardDeviation: 0.5, using: &rng)
        let model = try Sequential<Double>(
            inputShape: [1, 4, 4],
            layers: [conv, ReLU(), MaxPool2D(size: 2), Flatten(), Dropout(rate: 0.3), dense],
            loss: SoftmaxCrossEntropy())
        let inputs = Tensor<Double>.normal(shape: [6, 1, 4, 4], using: &rng)
        compare(model, inputs: inputs, targets: .classes([0, 1, 2, 0, 1, 2]), rows: [5, 1, 2], tolerance: 1e-13, "conv")
    }

    /// A smaller last batch reuses the same buffers.
    @Test func shorterBatchAfterFullOne() throws {
        let data: ExampleSet<Double> = Fixtures.blobs(count: 12, features: 5, classes: 3)
        let model: Sequential<Double> = try Fixtures.model(sizes: [5, 4, 3], activation: .relu)
        compare(model, inputs: data.inputs, targets: data.targets, rows: Array(0..<8), tolerance: 1e-13, "full")
        compare(model, inputs: data.inputs, targets: data.targets, rows: [9, 10], tolerance: 1e-13, "short")
    }
}
