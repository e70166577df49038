import TensorCore

/// A fully connected layer `Y = X·Wᵀ + b`.
///
/// Layout: `weight` has shape `[out, in]` (row `j` holds the weights into unit `j`, as in
/// PyTorch's `nn.Linear` and Ng's Θ without its bias column); `bias` has shape `[out]`.
/// ``theta`` views both as ex4's Θ = [b | W] of shape `[out, 1 + in]`.
///
/// Backward: ∂L/∂W = δᵀ·X, ∂L/∂b = Σ_rows δ, ∂L/∂X = δ·W with δ = ∂L/∂Y.
public struct Dense<Scalar: TensorScalar>: Layer {
    public var weight: Tensor<Scalar>
    public var bias: Tensor<Scalar>

    public init(weight: Tensor<Scalar>, bias: Tensor<Scalar>) {
        precondition(
            weight.rank == 2 && bias.shape == [weight.shape[0]],
            "Dense: weight \(weight.shape) and bias \(bias.shape) do not fit ([out, in] and [out])")
        self.weight = weight; self.bias = bias
    }

    /// A zero-initialised layer; use an ``Initializer`` to fill it.
    public init(inputSize: Int, outputSize: Int) {
        self.init(weight: Tensor(zeros: [outputSize, inputSize]), bias: Tensor(zeros: [outputSize]))
    }

    /// A layer from ex4's Θ = [b | W], shape `[out, 1 + in]`.
    public init(theta: Tensor<Scalar>) {
        self.init(inputSize: theta.shape[1] - 1, outputSize: theta.shape[0])
        self.theta = theta
    }

    public var inputSize: Int { weight.shape[1] }
    public var outputSize: Int { weight.shape[0] }
    public var kind: String { "dense" }

    public var parameterSlots: [ParameterSlot] {
        [
            ParameterSlot(name: "weight", shape: weight.shape, role: .weight),
            ParameterSlot(name: "bias", shape: bias.shape, role: .bias)
        ]
    }

    public var parameters: [Tensor<Scalar>] {
        get { [weight, bias] }
        set {
            precondition(
                newValue.count == 2 && newValue[0].shape == weight.shape && newValue[1].shape == bias.shape,
                "Dense: parameters \(newValue.map(\.shape)) do not match \([weight.shape, bias.shape])")
            weight = newValue[0]; bias = newValue[1]
        }
    }

    /// ex4's Θ = [b | W], shape `[out, 1 + in]`.
    public var theta: Tensor<Scalar> {
        get { Dense.theta(weight: weight, bias: bias) }
        set {
            precondition(
                newValue.shape == [outputSize, inputSize + 1],
                "Dense.theta: shape \(newValue.shape), expected \([outputSize, inputSize + 1])")
            let (w, b) = Dense.split(theta: newValue)
            weight = w; bias = b
        }
    }

    /// Joins a weight `[out, in]` and a bias `[out]` into Θ = [b | W].
    public static func theta(weight: Tensor<Scalar>, bias: Tensor<Scalar>) -> Tensor<Scalar> {
        let (o, i) = (weight.shape[0], weight.shape[1])
        var t = [Scalar](); t.reserveCapacity(o * (i + 1))
        for r in 0..<o {
            t.append(bias.scalars[r])
            t.append(contentsOf: weight.scalars[(r * i)..<((r + 1) * i)])
        }
        return Tensor(shape: [o, i + 1], scalars: t)
    }

    /// Splits Θ = [b | W] into the weight and the bias.
    public static func split(theta: Tensor<Scalar>) -> (weight: Tensor<Scalar>, bias: Tensor<Scalar>) {
        let (o, c) = (theta.shape[0], theta.shape[1])
        var w = [Scalar](); w.reserveCapacity(o * (c - 1))
        var b = [Scalar](); b.reserveCapacity(o)
        for r in 0..<o {
            b.append(theta.scalars[r * c])
            w.append(contentsOf: theta.scalars[(r * c + 1)..<((r + 1) * c)])
        }
        return (Tensor(shape: [o, c - 1], scalars: w), Tensor(b))
    }

    /// In place: an optimizer step touches the stored tensor without copying it.
    public mutating func updateParameter(_ slot: Int, _ body: (inout Tensor<Scalar>) -> Void) {
        precondition(slot == 0 || slot == 1, "Dense has parameter slots 0 (weight) and 1 (bias), got \(slot)")
        let shape = slot == 0 ? weight.shape : bias.shape
        if slot == 0 { body(&weight) } else { body(&bias) }
        precondition(
            (slot == 0 ? weight.shape : bias.shape) == shape,
            "Dense.updateParameter changed the shape of slot \(slot) from \(shape)")
    }

    public func outputShape(forInput inputShape: [Int]) -> Result<[Int], ShapeMismatch> {
        guard inputShape == [inputSize] else {
            return .failure(
                ShapeMismatch("expects \(inputSize) features per example (weight \(weight.shape)), got \(inputShape)"))
        }
        return .success([outputSize])
    }

    public func forward(_ input: Tensor<Scalar>, context: inout ForwardContext) -> LayerTape<Scalar> {
        precondition(
            input.rank == 2 && input.shape[1] == inputSize,
            "Dense.forward: input \(input.shape), weight \(weight.shape)")
        let y = Tensor.matmul(input, .none, weight, .transposed).adding(rowVector: bias)
        return LayerTape(input: input, output: y)
    }

    public func backward(
        _ outputGradient: Tensor<Scalar>, tape: LayerTape<Scalar>,
        parameterGradients g: inout [Tensor<Scalar>]
    ) -> Tensor<Scalar> {
        precondition(
            outputGradient.shape == tape.output.shape,
            "Dense.backward: gradient \(outputGradient.shape), output \(tape.output.shape)")
        Tensor.matmul(outputGradient, .transposed, tape.input, .none, into: &g[0], beta: 1)
        g[1] += outputGradient.sum(alongAxis: 0)
        return Tensor.matmul(outputGradient, .none, weight, .none)
    }
}
