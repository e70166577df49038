import TensorCore

/// Hidden-layer activations selectable with `--activation`.
public enum ActivationKind: String, Sendable, CaseIterable, Codable {
    case sigmoid, tanh, relu, leakyReLU = "leaky-relu"

    public func layer<S: TensorScalar>() -> any Layer<S> {
        switch self {
        case .sigmoid: return Sigmoid<S>()
        case .tanh: return Tanh<S>()
        case .relu: return ReLU<S>()
        case .leakyReLU: return LeakyReLU<S>()
        }
    }
}

/// Losses selectable with `--loss`. `softmax-ce` and `ovr-ce` take logits (the network ends
/// with a dense layer), `ce` takes probabilities (a ``Softmax`` layer is appended), `mse`
/// takes the dense output as it is.
public enum LossKind: String, Sendable, CaseIterable, Codable {
    case softmaxCE = "softmax-ce", ce, ovrCE = "ovr-ce", mse

    public func loss<S: TensorScalar>() -> any Loss<S> {
        switch self {
        case .softmaxCE: return SoftmaxCrossEntropy<S>()
        case .ce: return CrossEntropy<S>()
        case .ovrCE: return OneVsAllCrossEntropy<S>()
        case .mse: return MeanSquaredError<S>()
        }
    }

    /// Layers the loss needs after the last dense layer: a ``Softmax`` for `ce`, none otherwise.
    public func outputLayers<S: TensorScalar>() -> [any Layer<S>] {
        self == .ce ? [Softmax<S>()] : []
    }
}

/// The architecture flags shared by `check`, `train` and `compare`:
/// `--model PRESET` or `--layers 3,5,3` (every size, input to output) or `--hidden 1000,750,500`
/// (hidden sizes only; input and output sizes come from the data), with `--activation`,
/// `--loss`, `--lambda`, `--examples`, `--init`, `--seed`.
public struct ArchitectureSpec: Sendable, Hashable, Codable {
    public var preset: Preset?
    public var layers: [Int]?
    public var hidden: [Int]?
    public var activation: ActivationKind?
    public var loss: LossKind?
    public var lambda: Double?
    public var examples: Int?
    public var initializer: Initializer?
    public var seed: UInt64 = 0

    public init(
        preset: Preset? = nil, layers: [Int]? = nil, hidden: [Int]? = nil,
        activation: ActivationKind? = nil, loss: LossKind? = nil, lambda: Double? = nil,
        examples: Int? = nil, initializer: Initializer? = nil, seed: UInt64 = 0
    ) {
        self.preset = preset; self.layers = layers; self.hidden = hidden; self.activation = activation
        self.loss = loss; self.lambda = lambda; self.examples = examples; self.initializer = initializer
        self.seed = seed
    }

    /// Checks that the flags describe one architecture.
    public func validate() throws(ModelError) {
        let given = [preset != nil, layers != nil, hidden != nil].filter { $0 }.count
        guard given <= 1 else { throw .conflictingSettings([.preset, .layers, .hidden]) }
        if let layers {
            guard layers.count >= 2 else {
                throw .invalidSetting(.layers, "needs at least an input and an output size, got \(layers)")
            }
            guard layers.allSatisfy({ $0 > 0 }) else {
                throw .invalidSetting(.layers, "must be positive, got \(layers)")
            }
        }
        if let hidden, !hidden.allSatisfy({ $0 > 0 }) {
            throw .invalidSetting(.hidden, "must be positive, got \(hidden)")
        }
        if let examples, examples <= 0 { throw .invalidSetting(.examples, "must be positive, got \(examples)") }
        if let lambda, !(lambda >= 0 && lambda.isFinite) {
            throw .invalidSetting(.l2Penalty, "must be a finite number ≥ 0, got \(lambda)")
        }
    }

    /// The layer sizes from input to output, given the data's input and output sizes.
    public func sizes(inputSize: Int, outputSize: Int) throws(ModelError) -> [Int] {
        try validate()
        if let layers {
            guard layers.first == inputSize, layers.last == outputSize else {
                throw .invalidSetting(
                    .layers,
                    "\(layers.map(String.init).joined(separator: ",")) does not match the data: \(inputSize) inputs and \(outputSize) outputs"
                )
            }
            return layers
        }
        return [inputSize] + (hidden ?? []) + [outputSize]
    }

    /// A dense network: `Dense → activation` for each hidden layer, then a dense output layer
    /// (and a ``Softmax`` for `--loss ce`), initialised from the seed.
    public func makeModel<S: TensorScalar>(
        sizes: [Int], defaultLoss: LossKind = .softmaxCE,
        defaultInitializer: Initializer = .xavierUniform
    ) throws(ModelError) -> Sequential<S> {
        var layers = [any Layer<S>]()
        for i in 0..<(sizes.count - 1) {
            layers.append(Dense<S>(inputSize: sizes[i], outputSize: sizes[i + 1]))
            if i < sizes.count - 2 { layers.append((activation ?? .sigmoid).layer() as any Layer<S>) }
        }
        let lossKind = loss ?? defaultLoss
        layers += lossKind.outputLayers()
        var model = try Sequential<S>(
            inputShape: [sizes[0]], layers: layers, loss: lossKind.loss(),
            regularization: L2Regularization(lambda: lambda ?? 0))
        var rng = PRNG(seed: seed)
        (initializer ?? defaultInitializer).initialize(&model, rng: &rng)
        return model
    }
}
