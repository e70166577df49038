import TensorCore

/// What a parameter is for. Regularisation, diagnosis and monitors treat roles differently
/// (by default L2 applies to weights and kernels, not to biases).
public enum ParameterRole: String, Sendable, Codable, Hashable {
    case weight, bias, kernel
}

/// One parameter of a layer, listed explicitly: its local name (`weight`), its shape and role.
/// This list drives optimizers, gradient checks and monitors alike.
public struct ParameterSlot: Sendable, Hashable, Codable {
    public var name: String
    public var shape: [Int]
    public var role: ParameterRole
    public init(name: String, shape: [Int], role: ParameterRole) {
        self.name = name; self.shape = shape; self.role = role
    }
    public var count: Int { shape.reduce(1, *) }
}

/// Whether layers such as ``Dropout`` behave as in training or as in evaluation.
public enum ExecutionMode: Sendable {
    case training, evaluation
}

/// State threaded through a forward pass: the mode and the seeded generator that stochastic
/// layers draw from.
public struct ForwardContext: Sendable {
    public var mode: ExecutionMode
    public var rng: PRNG
    public init(mode: ExecutionMode = .evaluation, rng: PRNG = PRNG(seed: 0)) {
        self.mode = mode; self.rng = rng
    }
}

/// What a layer's forward pass keeps for its backward pass.
public struct LayerTape<Scalar: TensorScalar>: Sendable {
    /// The layer's input.
    public var input: Tensor<Scalar>
    /// The layer's output.
    public var output: Tensor<Scalar>
    /// Anything else the backward pass needs (a dropout mask, im2col columns).
    public var auxiliary: [Tensor<Scalar>] = []
    /// Integer bookkeeping (max-pool winners).
    public var indices: [Int] = []
    public init(input: Tensor<Scalar>, output: Tensor<Scalar>) {
        self.input = input; self.output = output
    }
}

/// A differentiable layer with a hand-written backward pass.
///
/// Inputs and outputs are batches: the first dimension indexes examples. A layer lists its
/// parameters in ``parameterSlots`` and stores them, in the same order, in ``parameters``.
public protocol Layer<Scalar>: Sendable {
    associatedtype Scalar: TensorScalar

    /// A short kind name for messages and reports (`dense`, `sigmoid`).
    var kind: String { get }
    /// The parameters, explicitly: name, shape, role. Empty for parameter-free layers.
    var parameterSlots: [ParameterSlot] { get }
    /// The element-wise activation the layer computes, when it is one of TensorCore's
    /// ``Activation``s: the training workspace then fuses it into the GEMMs, and the gradient
    /// flow monitor and diagnosis describe it. nil (the default) for every other layer, which
    /// trains and checks through its own forward and backward. A layer that declares an
    /// activation must compute exactly it.
    var activation: Activation? { get }
    /// Where the layer is not differentiable (default ``LayerKinks/none``), so that the gradient
    /// checker can tell a perturbation that crossed a kink.
    var kinks: LayerKinks { get }
    /// The parameter values, in the order of ``parameterSlots``.
    var parameters: [Tensor<Scalar>] { get set }

    /// The shape of one output example for one input example of shape `inputShape`,
    /// or a description of why the shapes do not fit.
    func outputShape(forInput inputShape: [Int]) -> Result<[Int], ShapeMismatch>

    /// Computes the output for a batch and records what backward needs in `tape`.
    func forward(_ input: Tensor<Scalar>, context: inout ForwardContext) -> LayerTape<Scalar>

    /// Given ∂L/∂output, returns ∂L/∂input and ADDS ∂L/∂θ to `parameterGradients`
    /// (one tensor per slot, pre-shaped), so that a parameter used twice accumulates.
    func backward(
        _ outputGradient: Tensor<Scalar>, tape: LayerTape<Scalar>,
        parameterGradients: inout [Tensor<Scalar>]
    ) -> Tensor<Scalar>

    /// Applies `body` to the parameter in `slot` in place (an optimizer step). `body` must
    /// keep the shape. The default goes through ``parameters`` and so copies the tensor;
    /// layers that keep their parameters in stored properties override it to avoid the copy.
    mutating func updateParameter(_ slot: Int, _ body: (inout Tensor<Scalar>) -> Void)
}

extension Layer {
    public var parameterSlots: [ParameterSlot] { [] }
    public var activation: Activation? { nil }
    public var kinks: LayerKinks { .none }
    public var parameters: [Tensor<Scalar>] {
        get { [] }
        set { precondition(newValue.isEmpty, "\(kind) has no parameters, got \(newValue.count) tensors") }
    }

    public mutating func updateParameter(_ slot: Int, _ body: (inout Tensor<Scalar>) -> Void) {
        var values = parameters
        precondition(values.indices.contains(slot), "\(kind) has no parameter slot \(slot)")
        body(&values[slot])
        parameters = values
    }
}

/// Why a layer cannot take an input of a given shape.
public struct ShapeMismatch: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
