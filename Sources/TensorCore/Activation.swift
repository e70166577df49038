import RealModule

/// An element-wise activation function: the one identity the library uses for it. Layers
/// declare it (`Layer.activation` in NeuralNet), the fused GEMM epilogues apply it
/// (``GEMMEpilogue``), and training's monitors and diagnosis read it, so that nothing on the
/// training or checking path identifies an activation by its name or its type.
///
/// | case | f(x) | f′ through y = f(x) | kinks | saturates |
/// |---|---|---|---|---|
/// | sigmoid | 1/(1 + e^(−x)) | y(1 − y) | none | yes |
/// | tanh | tanh x | 1 − y² | none | yes |
/// | relu | max(x, 0) | [y > 0] | x = 0 | no |
/// | leakyReLU(α) | x if x > 0 else αx | [y > 0] + α[y ≤ 0] | x = 0 | no |
/// | identity | x | 1 | none | no |
public enum Activation: Sendable, Hashable {
    case sigmoid, tanh, relu
    case leakyReLU(slope: Double)
    case identity

    /// The name reports and JSON use: `sigmoid`, `tanh`, `relu`, `leaky-relu`, `identity`.
    public var name: String {
        switch self {
        case .sigmoid: return "sigmoid"
        case .tanh: return "tanh"
        case .relu: return "relu"
        case .leakyReLU: return "leaky-relu"
        case .identity: return "identity"
        }
    }

    /// The activation a report or checkpoint names (``name``; a leaky ReLU read this way has
    /// the default slope 0.01); nil for any other name.
    public init?(name: String) {
        switch name {
        case "sigmoid": self = .sigmoid
        case "tanh": self = .tanh
        case "relu": self = .relu
        case "leaky-relu": self = .leakyReLU(slope: 0.01)
        case "identity": self = .identity
        default: return nil
        }
    }

    /// The inputs at which f is not differentiable: x = 0 for ReLU and leaky ReLU.
    public var kinks: [Double] {
        switch self {
        case .relu, .leakyReLU: return [0]
        case .sigmoid, .tanh, .identity: return []
        }
    }

    /// Whether f′ → 0 as |x| grows (sigmoid, tanh): such units saturate and pass back
    /// vanishing gradients.
    public var saturates: Bool {
        switch self {
        case .sigmoid, .tanh: return true
        case .relu, .leakyReLU, .identity: return false
        }
    }

    /// Whether it is a non-linearity (everything but the identity).
    public var isNonlinear: Bool { self != .identity }

    /// f(x): the definition every implementation is tested against (the layers of NeuralNet
    /// apply it; `ActivationKernels` and the fused GEMM epilogues are its vectorised form).
    /// The sigmoid is evaluated as e^x/(1 + e^x) for x < 0 so that nothing overflows.
    @inlinable
    public func value<S: TensorScalar>(_ x: S) -> S {
        switch self {
        case .sigmoid: return S.sigmoid(x)
        case .tanh: return S.tanh(x)
        case .relu: return x > 0 ? x : 0
        case .leakyReLU(let slope): return x > 0 ? x : S(slope) * x
        case .identity: return x
        }
    }

    /// f′ expressed through the output y = f(x), which is what a backward pass keeps:
    /// y(1 − y), 1 − y², [y > 0], [y > 0] + α[y ≤ 0], 1. For ReLU and leaky ReLU (α ≥ 0),
    /// y > 0 exactly when x > 0, so the derivative at the kink x = 0 is 0 and α respectively
    /// (PyTorch's convention).
    @inlinable
    public func derivative<S: TensorScalar>(output y: S) -> S {
        switch self {
        case .sigmoid: return y * (1 - y)
        case .tanh: return 1 - y * y
        case .relu: return y > 0 ? 1 : 0
        case .leakyReLU(let slope): return y > 0 ? 1 : S(slope)
        case .identity: return 1
        }
    }
}

/// The name the fused GEMM epilogues used before activations had one identity.
public typealias GEMMActivation = Activation
