import TensorCore

/// The result of one forward and backward pass over a batch.
public struct Evaluation<Scalar: TensorScalar>: Sendable {
    /// Data loss + regularisation.
    public var value: Double
    /// The loss term alone.
    public var dataLoss: Double
    /// The regularisation term alone.
    public var regularizationLoss: Double
    /// ∂value/∂θ, one tensor per parameter block.
    public var gradients: [Tensor<Scalar>]
    /// The model's output for the batch.
    public var output: Tensor<Scalar>
    /// Each layer's tape (inputs, outputs, masks), for monitors and kink detection.
    public var tapes: [LayerTape<Scalar>]
}

extension Sequential {
    /// Checks a batch before it reaches the layers: shapes, emptiness, finiteness, labels.
    public func validate(inputs: Tensor<Scalar>, targets: Targets<Scalar>? = nil) throws(ModelError) {
        guard let m = inputs.shape.first, m > 0 else { throw .emptyBatch }
        let perExample = Array(inputs.shape.dropFirst())
        guard perExample == inputShape else { throw .inputShapeMismatch(expected: inputShape, got: perExample) }
        if let bad = inputs.scalars.firstIndex(where: { !$0.isFinite }) {
            throw .nonFinite(what: "inputs", offset: bad)
        }
        if let targets { try loss.validate(targets: targets, examples: m, outputs: outputShape[0]) }
    }

    /// The forward pass through every layer; returns each layer's tape.
    public func forward(_ inputs: Tensor<Scalar>, context: inout ForwardContext) -> [LayerTape<Scalar>] {
        var tapes = [LayerTape<Scalar>]()
        tapes.reserveCapacity(layers.count)
        var x = inputs
        for layer in layers {
            let tape = layer.forward(x, context: &context)
            x = tape.output
            tapes.append(tape)
        }
        return tapes
    }

    /// The model's output for a batch (evaluation mode).
    public func predict(_ inputs: Tensor<Scalar>) throws(ModelError) -> Tensor<Scalar> {
        try validate(inputs: inputs)
        var context = ForwardContext(mode: .evaluation)
        return forward(inputs, context: &context).last?.output ?? inputs
    }

    /// Loss, regularisation and the gradient of both with respect to every parameter block,
    /// by backpropagation. Validates the batch first.
    public func evaluate(
        inputs: Tensor<Scalar>, targets: Targets<Scalar>,
        context: inout ForwardContext
    ) throws(ModelError) -> Evaluation<Scalar> {
        try validate(inputs: inputs, targets: targets)
        return evaluateUnchecked(inputs: inputs, targets: targets, context: &context)
    }

    /// ``evaluate(inputs:targets:context:)`` without validation, for hot loops over batches
    /// that were validated once.
    public func evaluateUnchecked(
        inputs: Tensor<Scalar>, targets: Targets<Scalar>,
        context: inout ForwardContext
    ) -> Evaluation<Scalar> {
        let m = inputs.shape[0]
        let tapes = forward(inputs, context: &context)
        let output = tapes.last?.output ?? inputs
        let (dataLoss, outputGradient) = loss.evaluate(output, targets: targets)

        // One gradient buffer per layer slot; tied layers write into their owner's buffers.
        var layerGradients: [[Tensor<Scalar>]] = layers.map { $0.parameterSlots.map { Tensor(zeros: $0.shape) } }
        var g = outputGradient
        for li in layers.indices.reversed() {
            let owner = ties[li] ?? li
            g = layers[li].backward(g, tape: tapes[li], parameterGradients: &layerGradients[owner])
        }

        var gradients = [Tensor<Scalar>]()
        var regularizationLoss = 0.0
        for block in parameterBlocks {
            var grad = layerGradients[block.layerIndex][block.slotIndex]
            if regularization.covers(block.role) {
                let theta = layers[block.layerIndex].parameters[block.slotIndex]
                regularizationLoss += regularization.cost(theta, examples: m)
                regularization.addGradient(theta, examples: m, to: &grad)
            }
            gradients.append(grad)
        }
        return Evaluation(
            value: dataLoss + regularizationLoss, dataLoss: dataLoss,
            regularizationLoss: regularizationLoss, gradients: gradients,
            output: output, tapes: tapes)
    }

    /// ex4's `nnCostFunction` contract: the cost J(θ) and its gradient at an unrolled
    /// parameter vector θ (in ``flatParameters`` order), for a fixed batch, in evaluation mode.
    public func cost(
        at theta: [Double], inputs: Tensor<Scalar>,
        targets: Targets<Scalar>
    ) throws(ModelError) -> (value: Double, gradient: [Double]) {
        guard theta.count == parameterCount else {
            throw .parameterCountMismatch(expected: parameterCount, got: theta.count)
        }
        if let bad = theta.firstIndex(where: { !$0.isFinite }) {
            throw .nonFinite(what: "parameter vector", offset: bad)
        }
        var model = self
        model.flatParameters = theta.map { Scalar($0) }
        var context = ForwardContext(mode: .evaluation)
        let e = try model.evaluate(inputs: inputs, targets: targets, context: &context)
        return (e.value, ParameterVector.flatten(e.gradients).map { Double($0) })
    }
}
