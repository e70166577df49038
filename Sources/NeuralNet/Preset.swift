import TensorCore

/// Built-in networks with their data, selectable with `--model`.
public enum Preset: String, Sendable, CaseIterable, Codable {
    /// Ng's ex4 `checkNNGradients` network, exactly as the Octave exercise builds it.
    case ex4Debug = "ex4-debug"
    /// Ng's ex4 network at full size, 400 → 25 → 10 with m = 5000, on synthetic data.
    case ex4 = "ex4"
    /// cs231n's two-layer network (affine–ReLU–affine, softmax cross-entropy) on its toy data.
    case cs231nTwoLayer = "cs231n-twolayer"

    public var summary: String {
        switch self {
        case .ex4Debug: return "ex4 checkNNGradients: 3 → 5 → 3, sigmoid, one-vs-all CE, m = 5, debug init"
        case .ex4: return "ex4 full size: 400 → 25 → 10, sigmoid, one-vs-all CE, m = 5000 synthetic, λ = 1"
        case .cs231nTwoLayer: return "cs231n two-layer: 4 → 10 → 3, ReLU, softmax CE, N = 5 toy data"
        }
    }

    /// Builds the preset's model and batch. Flags in `spec` override the preset's defaults
    /// (`--lambda`, `--examples`, `--init`, `--seed`, `--activation` where it has one).
    public func problem<S: TensorScalar>(
        _ spec: ArchitectureSpec = ArchitectureSpec()
    ) throws(ModelError) -> SupervisedProblem<S> {
        try spec.validate()
        var rng = PRNG(seed: spec.seed)
        switch self {
        case .ex4Debug:
            // checkNNGradients: input 3, hidden 5, labels 3, m 5.
            let m = spec.examples ?? 5
            let (input, hidden, labels) = (3, 5, 3)
            let lossKind = spec.loss ?? .ovrCE
            var model = try Sequential<S>(
                inputShape: [input],
                layers: [
                    Dense<S>(inputSize: input, outputSize: hidden),
                    (spec.activation ?? .sigmoid).layer() as any Layer<S>,
                    Dense<S>(inputSize: hidden, outputSize: labels)
                ] + lossKind.outputLayers(),
                loss: lossKind.loss(),
                regularization: L2Regularization(lambda: spec.lambda ?? 0))
            (spec.initializer ?? .debug).initialize(&model, rng: &rng)
            // X = debugInitializeWeights(m, input − 1): an m × input matrix.
            let columnMajor = (spec.initializer ?? .debug) != .debugRowMajor
            let x: Tensor<S> = Initializer.debugMatrix(rows: m, columns: input, columnMajor: columnMajor)
            // y = 1 + mod(1:m, num_labels) in 1-based Octave labels, i.e. (i mod 3) 0-based for i = 1…m.
            let y = (1...m).map { $0 % labels }
            return SupervisedProblem(name: rawValue, model: model, inputs: x, targets: .classes(y))
        case .ex4:
            let m = spec.examples ?? 5000
            let model: Sequential<S> = try spec.makeModel(
                sizes: [400, 25, 10], defaultLoss: .ovrCE, defaultInitializer: .ex4)
            var named = model
            if spec.lambda == nil { named.regularization.lambda = 1 }
            var dataRng = PRNG(seed: spec.seed &+ 1)
            let x = Tensor<S>.uniform(shape: [m, 400], low: 0, high: 1, using: &dataRng)
            let y = (0..<m).map { _ in dataRng.nextInt(below: 10) }
            return SupervisedProblem(name: rawValue, model: named, inputs: x, targets: .classes(y))
        case .cs231nTwoLayer:
            // cs231n's toy model: input_size 4, hidden_size 10, num_classes 3, num_inputs 5,
            // W ~ 0.1·N(0, 1), b = 0, X = 10·N(0, 1), y = [0, 1, 2, 2, 1], reg 0.05 on W1 and W2.
            // cs231n's penalty reg·ΣW² equals λ/(2m)·ΣW² with λ = 2·m·reg.
            let n = spec.examples ?? 5
            let lossKind = spec.loss ?? .softmaxCE
            var model = try Sequential<S>(
                inputShape: [4],
                layers: [
                    Dense<S>(inputSize: 4, outputSize: 10), (spec.activation ?? .relu).layer() as any Layer<S>,
                    Dense<S>(inputSize: 10, outputSize: 3)
                ] + lossKind.outputLayers(),
                loss: lossKind.loss(),
                regularization: L2Regularization(lambda: spec.lambda ?? 2 * Double(n) * 0.05))
            if let initializer = spec.initializer {
                initializer.initialize(&model, rng: &rng)
            } else {
                model.parameters = model.parameterBlocks.map { block in
                    block.role == .bias
                        ? Tensor(zeros: block.shape)
                        : Tensor<S>.normal(shape: block.shape, standardDeviation: 0.1, using: &rng)
                }
            }
            let x = Tensor<S>.normal(shape: [n, 4], standardDeviation: 10, using: &rng)
            let y = (0..<n).map { [0, 1, 2, 2, 1][$0 % 5] }
            return SupervisedProblem(name: rawValue, model: model, inputs: x, targets: .classes(y))
        }
    }
}
