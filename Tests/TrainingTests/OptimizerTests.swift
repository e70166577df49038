import Foundation
import NeuralNet
import TensorCore
import Testing
@testable import Training

/// Each optimizer's step against its formula, evaluated independently in Double on a tiny
/// model with hand-picked weights and gradients, over three steps (so that state matters).
struct OptimizerTests {
    func setUp<S: TensorScalar>(_: S.Type) throws -> (Sequential<S>, [[Tensor<S>]]) {
        var model: Sequential<S> = try Fixtures.model(sizes: [3, 2])
        model.parameters = [Tensor(shape: [2, 3], scalars: [0.5, -0.25, 1, 2, -1.5, 0.125]), Tensor([0.1, -0.2])]
        let gradients: [[Tensor<S>]] = (0..<3).map { t in
            let s = S(t + 1)
            return [
                Tensor(shape: [2, 3], scalars: [0.3, -0.1, 0.2, -0.4, 0.05, 0.6].map { $0 * s }),
                Tensor([0.2 * s, -0.3])
            ]
        }
        return (model, gradients)
    }

    /// Runs `config` for three steps and compares with `reference(w, g, t, isBias, state)`.
    func check<S: TensorScalar>(
        _: S.Type, _ config: OptimizerConfiguration,
        reference: (Double, Double, Int, Bool, inout [Double]) -> Double
    ) throws {
        var (model, gradients) = try setUp(S.self)
        var optimizer = config.makeOptimizer(for: model)
        var expected = model.parameters.map { $0.scalars.map(Double.init) }
        var states = expected.map { $0.map { _ in [0.0, 0.0] } }
        for (t, g) in gradients.enumerated() {
            optimizer.update(&model, along: g)
            for b in expected.indices {
                for i in expected[b].indices {
                    expected[b][i] = reference(expected[b][i], Double(g[b].scalars[i]), t + 1, b == 1, &states[b][i])
                }
            }
        }
        let tolerance = S.self == Float.self ? 2e-6 : 1e-14
        for (got, want) in zip(model.parameters, expected) {
            #expect(
                maxRelativeDifference(got.scalars.map(Double.init), want) < tolerance,
                "\(config.kind): \(got.scalars) vs \(want)")
        }
        #expect(optimizer.state.step == 3)
    }

    @Test(arguments: [Float.self, Double.self] as [any TensorScalar.Type])
    func sgd(_ type: any TensorScalar.Type) throws {
        func run<S: TensorScalar>(_ s: S.Type) throws {
            try check(s, OptimizerConfiguration(kind: .sgd, learningRate: 0.1)) { w, g, _, _, _ in w - 0.1 * g }
            // Weight decay 0.5 on the weight, not on the bias: w − η(g + λw).
            try check(s, OptimizerConfiguration(kind: .sgd, learningRate: 0.1, weightDecay: 0.5)) { w, g, _, bias, _ in
                w - 0.1 * (g + (bias ? 0 : 0.5 * w))
            }
        }
        try run(type)
    }

    @Test(arguments: [Float.self, Double.self] as [any TensorScalar.Type])
    func classicalMomentum(_ type: any TensorScalar.Type) throws {
        func run<S: TensorScalar>(_ s: S.Type) throws {
            // The demonstration's rule: v ← μv − ηg; w ← w + v.
            try check(s, OptimizerConfiguration(kind: .momentum, learningRate: 0.01, momentum: 0.99)) {
                w, g, _, _, st in
                st[0] = 0.99 * st[0] - 0.01 * g
                return w + st[0]
            }
            try check(s, OptimizerConfiguration(kind: .momentum, learningRate: 0.01, momentum: 0.9, weightDecay: 0.1)) {
                w, g, _, bias, st in
                st[0] = 0.9 * st[0] - 0.01 * (g + (bias ? 0 : 0.1 * w))
                return w + st[0]
            }
        }
        try run(type)
    }

    @Test(arguments: [Float.self, Double.self] as [any TensorScalar.Type])
    func nesterov(_ type: any TensorScalar.Type) throws {
        func run<S: TensorScalar>(_ s: S.Type) throws {
            // cs231n's form: v_prev = v; v = μv − ηg; w += −μ·v_prev + (1 + μ)·v.
            try check(s, OptimizerConfiguration(kind: .nesterov, learningRate: 0.05, momentum: 0.9)) { w, g, _, _, st in
                let previous = st[0]
                st[0] = 0.9 * st[0] - 0.05 * g
                return w - 0.9 * previous + 1.9 * st[0]
            }
        }
        try run(type)
    }

    @Test(arguments: [Float.self, Double.self] as [any TensorScalar.Type])
    func adam(_ type: any TensorScalar.Type) throws {
        func run<S: TensorScalar>(_ s: S.Type) throws {
            // Algorithm 1 of Kingma & Ba, written out plainly.
            let (lr, b1, b2, eps) = (0.01, 0.9, 0.999, 1e-8)
            try check(s, OptimizerConfiguration(kind: .adam, learningRate: lr, beta1: b1, beta2: b2, epsilon: eps)) {
                w, g, t, _, st in
                st[0] = b1 * st[0] + (1 - b1) * g
                st[1] = b2 * st[1] + (1 - b2) * g * g
                let mHat = st[0] / (1 - pow(b1, Double(t))), vHat = st[1] / (1 - pow(b2, Double(t)))
                return w - lr * mHat / (vHat.squareRoot() + eps)
            }
            // AdamW: decoupled decay w ← w − η·λ·w before the Adam step, weights only.
            try check(s, OptimizerConfiguration(kind: .adam, learningRate: lr, weightDecay: 0.1)) { w, g, t, bias, st in
                let decayed = bias ? w : w - lr * 0.1 * w
                st[0] = b1 * st[0] + (1 - b1) * g
                st[1] = b2 * st[1] + (1 - b2) * g * g
                let mHat = st[0] / (1 - pow(b1, Double(t))), vHat = st[1] / (1 - pow(b2, Double(t)))
                return decayed - lr * mHat / (vHat.squareRoot() + eps)
            }
        }
        try run(type)
    }

    @Test func configurationIsValidated() {
        #expect(throws: TrainingError.self) { try OptimizerConfiguration(learningRate: 0).validate() }
        #expect(throws: TrainingError.self) { try OptimizerConfiguration(momentum: 1).validate() }
        #expect(throws: TrainingError.self) { try OptimizerConfiguration(kind: .adam, beta2: 1).validate() }
        #expect(throws: TrainingError.self) { try OptimizerConfiguration(weightDecay: -1).validate() }
    }

    /// The update happens in place: the weight storage is not copied.
    @Test func updateDoesNotCopyWeights() throws {
        var model: Sequential<Float> = try Fixtures.model(sizes: [30, 20, 4])
        var optimizer = OptimizerConfiguration(kind: .sgd).makeOptimizer(for: model)
        func address(_ m: Sequential<Float>) -> UnsafeRawPointer {
            (m.layers[0] as! Dense<Float>).weight.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress!) }
        }
        let before = address(model)
        optimizer.update(&model, along: model.parameterBlocks.map { Tensor(ones: $0.shape) })
        #expect(address(model) == before)
    }

    /// The state tensors are updated in place too, through the plain, the measured and the
    /// fused step (the last through the `any Optimizer` the trainer holds): no copy of the velocity.
    @Test func stateIsUpdatedInPlace() throws {
        var model: Sequential<Float> = try Fixtures.model(sizes: [30, 20, 4], activation: .sigmoid)
        var optimizer = OptimizerConfiguration(kind: .momentum, learningRate: 0.1).makeOptimizer(for: model)
        func velocity(_ o: any Optimizer<Float>) -> UnsafeRawPointer {
            o.state.slots["velocity"]![0].withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress!) }
        }
        let before = velocity(optimizer)
        let ones = model.parameterBlocks.map { Tensor<Float>(ones: $0.shape) }
        optimizer.update(&model, along: ones)
        #expect(velocity(optimizer) == before)
        #expect(optimizer.measuredUpdate(&model, along: ones, measuring: [0]) != nil)
        #expect(velocity(optimizer) == before)
        let workspace = TrainingWorkspace(model: model, capacity: 4)
        var rng = PRNG(seed: 5)
        let inputs = Tensor<Float>.uniform(shape: [4, 30], low: -1, high: 1, using: &rng)
        workspace.loadBatch(rows: [0, 1, 2, 3], of: inputs)
        var context = ForwardContext(mode: .training)
        workspace.forward(model, context: &context)
        workspace.backwardAndUpdate(&model, targets: .classes([0, 1, 2, 3]), optimizer: &optimizer)
        #expect(!workspace.gradientsAreCurrent)
        #expect(velocity(optimizer) == before)
        #expect(optimizer.state.step == 3)
    }

    /// An optimizer that writes only its per-block step (sign descent, w ← w − η·sign(g)) is
    /// a complete optimizer: it updates every block, counts steps, and has neither fused nor
    /// measured paths, which the callers learn instead of trapping.
    @Test func optimizerWithOnlyAStep() throws {
        struct SignDescent: Optimizer {
            typealias Scalar = Double
            var configuration = OptimizerConfiguration(kind: .sgd, learningRate: 0.5)
            var state = OptimizerState<Double>()
            func step(
                block index: Int, weights: UnsafeMutableBufferPointer<Double>, gradient: UnsafeBufferPointer<Double>,
                decays: Bool, step: Int, slots: inout [String: [Tensor<Double>]]
            ) {
                for i in weights.indices where gradient[i] != 0 {
                    weights[i] -= configuration.learningRate * (gradient[i] > 0 ? 1 : -1)
                }
            }
        }
        var model: Sequential<Double> = try Fixtures.model(sizes: [3, 2])
        let start = model.flatParameters
        var optimizer: any Optimizer<Double> = SignDescent()
        let gradients = model.parameterBlocks.map { b in
            Tensor<Double>(shape: b.shape, scalars: (0..<b.count).map { Double($0 % 3) - 1 })
        }
        optimizer.update(&model, along: gradients)
        optimizer.update(&model, along: gradients)
        let expected = zip(start, gradients.flatMap(\.scalars)).map { w, g in
            w - 2 * 0.5 * (g == 0 ? 0 : (g > 0 ? 1 : -1))
        }
        #expect(model.flatParameters == expected)
        #expect(optimizer.state.step == 2)
        #expect(optimizer.fusion == nil)
        #expect(optimizer.measuredUpdate(&model, along: gradients, measuring: [0]) == nil)
        #expect(model.flatParameters == expected, "a refused measured update changes nothing")
    }
}

/// A measured update (the monitor's sums taken in the optimizer's pass) changes the same bits
/// as the plain update and gives the sums a copy-and-compare gives.
struct MeasuredUpdateTests {
    static let configurations: [OptimizerConfiguration] = [
        OptimizerConfiguration(kind: .sgd, learningRate: 0.05),
        OptimizerConfiguration(kind: .momentum, learningRate: 0.05, momentum: 0.9),
        OptimizerConfiguration(kind: .nesterov, learningRate: 0.05, momentum: 0.9)
    ]

    func check<S: TensorScalar>(_: S.Type, _ configuration: OptimizerConfiguration) throws {
        // 300×250 weights: above the size that splits the pass over the cores.
        let model: Sequential<S> = try Fixtures.model(sizes: [300, 250, 7], activation: .sigmoid)
        var rng = PRNG(seed: 5)
        let gradients = model.parameterBlocks.map {
            Tensor<S>(shape: $0.shape, scalars: (0..<$0.count).map { _ in S(rng.nextNormal()) })
        }
        var (plainModel, measuredModel) = (model, model)
        var plain = configuration.makeOptimizer(for: model), measured = configuration.makeOptimizer(for: model)
        for _ in 0..<2 {  // twice, so that momentum's velocity is not zero on the measured step
            let before = measuredModel.parameters
            plain.update(&plainModel, along: gradients)
            let changes = try #require(measured.measuredUpdate(&measuredModel, along: gradients, measuring: [0, 2]))
            #expect(measuredModel.flatParameters == plainModel.flatParameters, "\(configuration.kind): same weights")
            #expect(measured.state == plain.state, "\(configuration.kind): same optimizer state")
            #expect(Set(changes.keys) == [0, 2])
            for (block, change) in changes {
                let after = measuredModel.parameters[block].scalars, old = before[block].scalars
                let d = zip(after, old).map { Double($0 - $1) }
                let want = WeightChange(
                    absoluteChange: d.map(abs).reduce(0, +), squaredChange: d.map { $0 * $0 }.reduce(0, +),
                    weightSquares: after.map { Double($0) * Double($0) }.reduce(0, +),
                    gradientSquares: gradients[block].scalars.map { Double($0) * Double($0) }.reduce(0, +))
                for (got, expected) in [
                    (change.absoluteChange, want.absoluteChange), (change.squaredChange, want.squaredChange),
                    (change.weightSquares, want.weightSquares), (change.gradientSquares, want.gradientSquares)
                ] {
                    // Float sums run in sixteen Float lanes per block of 512 (ReductionKernels): ~1e-7 relative.
                    let tolerance = S.self == Float.self ? 1e-6 : 1e-12
                    #expect(
                        abs(got - expected) <= tolerance * expected,
                        "\(configuration.kind) block \(block): \(got) vs \(expected)")
                }
                #expect(change.absoluteChange > 0)
            }
        }
    }

    @Test(arguments: configurations) func float(_ configuration: OptimizerConfiguration) throws {
        try check(Float.self, configuration)
    }
    @Test(arguments: configurations) func double(_ configuration: OptimizerConfiguration) throws {
        try check(Double.self, configuration)
    }

    @Test func adamHasNoMeasuredUpdate() throws {
        var model: Sequential<Float> = try Fixtures.model(sizes: [4, 3, 2])
        var adam = OptimizerConfiguration(kind: .adam, learningRate: 0.01).makeOptimizer(for: model)
        let gradients = model.parameterBlocks.map { Tensor<Float>(zeros: $0.shape) }
        let before = model.flatParameters
        #expect(adam.measuredUpdate(&model, along: gradients, measuring: [0]) == nil)
        #expect(model.flatParameters == before, "nothing updated when the optimizer cannot measure")
    }
}
