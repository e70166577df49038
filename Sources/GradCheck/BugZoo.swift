import NeuralNet
import TensorCore

/// Classic backprop mistakes, built in: `gradscope check --bug NAME` injects one into a
/// built-in model to show what it looks like, and the checker's test suite must fail each
/// one and name the right block and pattern.
public enum BugZoo {
    public enum Bug: String, Sendable, CaseIterable {
        case biasRegularizedInGradient = "bias-reg-gradient"
        case biasRegularizedInCost = "bias-reg-cost"
        case biasColumnRegularizedTwice = "bias-reg-cost-twice"
        case missingOneOverM = "missing-1/m"
        case regularizerGradientTwice = "reg-gradient-2x"
        case sigmoidDerivativeOnActivation = "sigmoid-derivative-on-activation"
        case outputDeltaSign = "output-delta-sign"
        case transposedWeightGradient = "transposed-weight-gradient"
        case softmaxDiagonal = "softmax-diagonal"
        case reusedParameterNotAccumulated = "reused-parameter-not-accumulated"
        case convKernelNotFlipped = "conv-kernel-not-flipped"
        case oneEntryOff = "one-entry-off"
        case dropoutLeftOn = "dropout-left-on"
        case maxPoolWrongRouting = "maxpool-wrong-routing"
        case biasMeanInsteadOfSum = "bias-mean-instead-of-sum"

        /// What the mistake is, in one line.
        public var summary: String {
            switch self {
            case .biasRegularizedInGradient:
                return "the bias is regularised in the gradient (λ/m·b) but not in the cost"
            case .biasRegularizedInCost: return "the bias is regularised in the cost but not in the gradient"
            case .biasColumnRegularizedTwice:
                return "a sign slip in the column range regularises the bias column twice in the cost"
            case .missingOneOverM: return "the data term's gradient is missing its 1/m"
            case .regularizerGradientTwice: return "the regulariser's gradient is 2λ/m·θ instead of λ/m·θ"
            case .sigmoidDerivativeOnActivation: return "σ′ is evaluated on the activation a = σ(z) instead of on z"
            case .outputDeltaSign: return "the output delta is y − a instead of a − y"
            case .transposedWeightGradient: return "the first layer's weight gradient is computed transposed (Xᵀ·δ)"
            case .softmaxDiagonal: return "softmax backward uses only s(1 − s), the Jacobian's diagonal"
            case .reusedParameterNotAccumulated: return "a parameter used twice keeps only one use's gradient"
            case .convKernelNotFlipped: return "the second convolution's input gradient uses the kernel unflipped"
            case .oneEntryOff: return "one entry of layer1.weight is off by 1e-4 relative"
            case .dropoutLeftOn: return "dropout is left on (a fresh mask each evaluation) during the check"
            case .maxPoolWrongRouting: return "max-pool sends the gradient to each window's first element, not its max"
            case .biasMeanInsteadOfSum:
                return "the output layer's bias gradient takes the mean over the batch instead of the sum"
            }
        }

        /// The block the diagnosis must name, and the pattern code it must give (the checker's
        /// own tests hold it to these).
        public var expected: (block: String, code: CheckFinding.Code) {
            switch self {
            case .biasRegularizedInGradient: return ("layer1.bias", .regularization)
            case .biasRegularizedInCost: return ("layer1.bias", .regularization)
            case .biasColumnRegularizedTwice: return ("layer1.bias", .regularization)
            case .missingOneOverM: return ("layer2.weight", .scale)
            case .regularizerGradientTwice: return ("layer1.weight", .regularization)
            case .sigmoidDerivativeOnActivation: return ("layer1.weight", .sigmoidDerivativeOnActivation)
            case .outputDeltaSign: return ("layer2.weight", .sign)
            case .transposedWeightGradient: return ("layer1.weight", .transpose)
            case .softmaxDiagonal: return ("layer2.weight", .softmaxDiagonal)
            case .reusedParameterNotAccumulated: return ("layer1.weight", .reusedParameterNotAccumulated)
            case .convKernelNotFlipped: return ("layer1.kernel", .convKernelNotFlipped)
            case .oneEntryOff: return ("layer1.weight", .singleEntry)
            case .dropoutLeftOn: return ("", .nondeterministic)
            case .maxPoolWrongRouting: return ("layer1.kernel", .maxPoolWrongRouting)
            case .biasMeanInsteadOfSum: return ("layer2.bias", .scale)
            }
        }

        /// The built-in model with the mistake in it, in Double.
        public func objective() throws -> any DiagnosableObjective {
            switch self {
            case .biasRegularizedInGradient:
                return AdjustedObjective(
                    try ex4(lambda: 3),
                    gradient: { c, g in
                        BugZoo.addingToBiases(g, c) { θ in c.lambda / Double(c.examples) * θ }
                    })
            case .biasRegularizedInCost:
                return AdjustedObjective(
                    try ex4(lambda: 3),
                    value: { c, f in
                        f + c.lambda / (2 * Double(c.examples)) * BugZoo.biasSquares(c)
                    })
            case .biasColumnRegularizedTwice:
                return AdjustedObjective(
                    try ex4(lambda: 3),
                    value: { c, f in
                        f + 2 * c.lambda / (2 * Double(c.examples)) * BugZoo.biasSquares(c)
                    })
            case .missingOneOverM:
                return AdjustedObjective(try ex4(lambda: 0), gradient: { c, g in g.map { $0 * Double(c.examples) } })
            case .regularizerGradientTwice:
                return AdjustedObjective(
                    try ex4(lambda: 3),
                    gradient: { c, g in
                        var g = g
                        for b in c.blocks where b.role == .weight {
                            for i in b.range { g[i] += c.lambda / Double(c.examples) * c.x[i] }
                        }
                        return g
                    })
            case .sigmoidDerivativeOnActivation:
                var p: SupervisedProblem<Double> = try Preset.ex4Debug.problem(ArchitectureSpec(lambda: 0))
                p.model.replaceLayer(1, with: SigmoidDerivativeOnActivation<Double>())
                return try ModelObjective(p)
            case .outputDeltaSign:
                var p: SupervisedProblem<Double> = try Preset.ex4Debug.problem(ArchitectureSpec(lambda: 0))
                p.model.loss = OutputDeltaSignFlipped(p.model.loss)
                return try ModelObjective(p)
            case .transposedWeightGradient:
                var p: SupervisedProblem<Double> = try Preset.ex4Debug.problem(ArchitectureSpec(lambda: 0))
                p.model.replaceLayer(
                    0, with: BuggyDense(p.model.layers[0] as! Dense<Double>, mistake: .transposedWeightGradient))
                return try ModelObjective(p)
            case .softmaxDiagonal:
                var p: SupervisedProblem<Double> = try Preset.cs231nTwoLayer.problem(
                    ArchitectureSpec(activation: .tanh, loss: .ce, lambda: 0))
                p.model.replaceLayer(3, with: SoftmaxDiagonalOnly<Double>())
                return try ModelObjective(p)
            case .reusedParameterNotAccumulated:
                var p = try tiedProblem()
                // Backprop visits the second use first; the first use then overwrites its gradient.
                p.model.replaceLayer(
                    0, with: BuggyDense(p.model.layers[0] as! Dense<Double>, mistake: .overwriteInsteadOfAccumulate))
                try p.model.tie(2, to: 0)
                return try ModelObjective(p)
            case .convKernelNotFlipped:
                var p = try convProblem(pooling: false)
                p.model.replaceLayer(2, with: ConvKernelNotFlipped(p.model.layers[2] as! Conv2D<Double>))
                return try ModelObjective(p)
            case .oneEntryOff:
                return AdjustedObjective(
                    try ex4(lambda: 0),
                    gradient: { c, g in
                        var g = g
                        g[7] *= 1 + 1e-4
                        return g
                    })
            case .dropoutLeftOn:
                var p: SupervisedProblem<Double> = try Preset.ex4Debug.problem(ArchitectureSpec(lambda: 0))
                p.model = try Sequential(
                    inputShape: [3],
                    layers: [p.model.layers[0], p.model.layers[1], Dropout<Double>(rate: 0.5), p.model.layers[2]],
                    loss: p.model.loss)
                return try ModelObjective(p, mode: .training)
            case .maxPoolWrongRouting:
                var p = try convProblem(pooling: true)
                p.model.replaceLayer(2, with: MaxPoolWrongRouting(p.model.layers[2] as! MaxPool2D<Double>))
                return try ModelObjective(p)
            case .biasMeanInsteadOfSum:
                var p: SupervisedProblem<Double> = try Preset.ex4Debug.problem(ArchitectureSpec(lambda: 0))
                p.model.replaceLayer(
                    2, with: BuggyDense(p.model.layers[2] as! Dense<Double>, mistake: .biasMeanInsteadOfSum))
                return try ModelObjective(p)
            }
        }
    }

    static func ex4(lambda: Double) throws -> ModelObjective<Double> {
        try ModelObjective(try Preset.ex4Debug.problem(ArchitectureSpec(lambda: lambda)))
    }

    /// g + rule(θ) on every bias entry.
    static func addingToBiases(
        _ g: [Double], _ c: AdjustedObjective<ModelObjective<Double>>.Context,
        _ rule: (Double) -> Double
    ) -> [Double] {
        var g = g
        for b in c.blocks where b.role == .bias { for i in b.range { g[i] += rule(c.x[i]) } }
        return g
    }

    static func biasSquares(_ c: AdjustedObjective<ModelObjective<Double>>.Context) -> Double {
        c.blocks.filter { $0.role == .bias }.flatMap { Array($0.range) }.reduce(0) { $0 + c.x[$1] * c.x[$1] }
    }

    /// A tied-weight network: x → W·x + b → tanh → W·(·) + b → MSE, the second dense reusing the first's parameters.
    static func tiedProblem() throws -> SupervisedProblem<Double> {
        var rng = PRNG(seed: 21)
        var model = try Sequential<Double>(
            inputShape: [4], layers: [Dense(inputSize: 4, outputSize: 4), Tanh(), Dense(inputSize: 4, outputSize: 4)],
            loss: MeanSquaredError())
        model.parameters = model.parameterBlocks.map { Tensor.uniform(shape: $0.shape, low: -1, high: 1, using: &rng) }
        let x = Tensor<Double>.uniform(shape: [5, 4], low: -1, high: 1, using: &rng)
        let y = Tensor<Double>.uniform(shape: [5, 4], low: -1, high: 1, using: &rng)
        return SupervisedProblem(name: "tied-autoencoder", model: model, inputs: x, targets: .dense(y))
    }

    /// A small convolutional network on 6×6 images: conv(1→2, 3×3, pad 1) → tanh → conv(2→2, 3×3,
    /// pad 1) or max-pool 2×2 → tanh → flatten → dense → softmax-ce.
    static func convProblem(pooling: Bool) throws -> SupervisedProblem<Double> {
        var rng = PRNG(seed: 22)
        let second: any Layer<Double> =
            pooling
            ? MaxPool2D<Double>(size: 2)
            : Conv2D<Double>(inputChannels: 2, outputChannels: 2, kernelSize: 3, padding: 1)
        let features = pooling ? 2 * 3 * 3 : 2 * 6 * 6
        var model = try Sequential<Double>(
            inputShape: [1, 6, 6],
            layers: [
                Conv2D<Double>(inputChannels: 1, outputChannels: 2, kernelSize: 3, padding: 1), Tanh(), second, Tanh(),
                Flatten(), Dense(inputSize: features, outputSize: 3)
            ],
            loss: SoftmaxCrossEntropy())
        model.parameters = model.parameterBlocks.map {
            Tensor.uniform(shape: $0.shape, low: -0.5, high: 0.5, using: &rng)
        }
        let x = Tensor<Double>.uniform(shape: [4, 1, 6, 6], low: -1, high: 1, using: &rng)
        return SupervisedProblem(
            name: pooling ? "conv-pool" : "conv-conv", model: model, inputs: x, targets: .classes([0, 1, 2, 1]))
    }
}
