import TensorCore

/// A feed-forward network: layers applied in order, then a loss, plus L2 regularisation.
///
/// Parameters are exposed as named blocks (``parameterBlocks``: `layer1.weight`, `layer1.bias`,
/// …, numbered over the layers that own parameters) and as one unrolled vector
/// (``flatParameters``): blocks in that order, each row-major. A layer can reuse
/// another's parameters (``tie(_:to:)``); its gradient then accumulates into the owner's block.
public struct Sequential<Scalar: TensorScalar>: Sendable {
    /// The layers, in order. Read-only outside: ``replaceLayer(_:with:)`` swaps one for another
    /// of the same shapes and parameter slots, ``updateParameters(_:)`` and
    /// ``updateParameter(layer:slot:_:)`` change weights in place, so that ``parameterBlocks`` and
    /// ``outputShape`` always describe the layers.
    public private(set) var layers: [any Layer<Scalar>]
    public var loss: any Loss<Scalar>
    public var regularization: L2Regularization
    /// The shape of one input example (`[features]`, or `[channels, height, width]`).
    public let inputShape: [Int]
    /// The shape of one output example.
    public private(set) var outputShape: [Int]
    /// `ties[j] = i`: layer j uses layer i's parameters.
    public private(set) var ties: [Int: Int] = [:]
    public private(set) var parameterBlocks: [ParameterBlock] = []

    /// Builds a model and checks that each layer takes the shape the previous one gives.
    public init(
        inputShape: [Int], layers: [any Layer<Scalar>], loss: any Loss<Scalar>,
        regularization: L2Regularization = L2Regularization()
    ) throws(ModelError) {
        self.inputShape = inputShape
        self.layers = layers
        self.loss = loss
        self.regularization = regularization
        var shape = inputShape
        for (i, layer) in layers.enumerated() {
            switch layer.outputShape(forInput: shape) {
            case .success(let s): shape = s
            case .failure(let why):
                throw .layerShapeMismatch(layer: i + 1, kind: layer.kind, inputShape: shape, reason: why.message)
            }
        }
        guard shape.count == 1 else {
            throw .invalidArchitecture(
                "the last layer gives per-example shape \(shape); losses need a flat vector (add a flatten layer)")
        }
        self.outputShape = shape
        rebuildBlocks()
    }

    /// Makes layer `j` reuse layer `i`'s parameters (weight tying). Their slots must match.
    public mutating func tie(_ j: Int, to i: Int) throws(ModelError) {
        guard i != j, layers.indices.contains(i), layers.indices.contains(j), ties[i] == nil,
            layers[i].parameterSlots.map(\.shape) == layers[j].parameterSlots.map(\.shape),
            !layers[i].parameterSlots.isEmpty
        else {
            throw .invalidArchitecture(
                "cannot tie layer \(j + 1) to layer \(i + 1): both must exist, differ, own parameters of equal shapes, and layer \(i + 1) must not itself be tied"
            )
        }
        ties[j] = i
        layers[j].parameters = layers[i].parameters
        rebuildBlocks()
    }

    private mutating func rebuildBlocks() {
        var blocks = [ParameterBlock]()
        var ordinal = 0, offset = 0
        for (li, layer) in layers.enumerated() where ties[li] == nil && !layer.parameterSlots.isEmpty {
            ordinal += 1
            for (si, slot) in layer.parameterSlots.enumerated() {
                blocks.append(
                    ParameterBlock(
                        name: "layer\(ordinal).\(slot.name)", shape: slot.shape, role: slot.role,
                        layerIndex: li, slotIndex: si, offset: offset))
                offset += slot.count
            }
        }
        parameterBlocks = blocks
    }

    /// The total number of parameters.
    public var parameterCount: Int { parameterBlocks.reduce(0) { $0 + $1.count } }

    /// The parameter tensors, one per block.
    public var parameters: [Tensor<Scalar>] {
        get { parameterBlocks.map { layers[$0.layerIndex].parameters[$0.slotIndex] } }
        set {
            precondition(
                newValue.map(\.shape) == parameterBlocks.map(\.shape),
                "parameters \(newValue.map(\.shape)) do not match blocks \(parameterBlocks.map(\.shape))")
            for (block, value) in zip(parameterBlocks, newValue) {
                layers[block.layerIndex].parameters[block.slotIndex] = value
            }
            for (j, i) in ties { layers[j].parameters = layers[i].parameters }
        }
    }

    /// Updates every parameter block in place, in block order: `body(blockIndex, &tensor)`.
    /// Unlike assigning ``parameters``, this does not copy the tensors (an optimizer step on a
    /// large model would otherwise copy every weight). Tied layers follow their owners.
    public mutating func updateParameters(_ body: (Int, inout Tensor<Scalar>) -> Void) {
        for (index, block) in parameterBlocks.enumerated() {
            layers[block.layerIndex].updateParameter(block.slotIndex) { body(index, &$0) }
        }
        for (j, i) in ties { layers[j].parameters = layers[i].parameters }
    }

    /// Applies `body` in place to parameter `slot` of layer `index` (an optimizer step inside a
    /// fused backward pass). `body` must keep the tensor's shape. A tied layer's copy follows.
    public mutating func updateParameter(layer index: Int, slot: Int, _ body: (inout Tensor<Scalar>) -> Void) {
        precondition(layers.indices.contains(index), "Sequential: no layer \(index) of \(layers.count)")
        let shape = layers[index].parameterSlots[slot].shape
        layers[index].updateParameter(slot, body)
        precondition(
            layers[index].parameters[slot].shape == shape,
            "Sequential.updateParameter: layer \(index) slot \(slot) changed shape from \(shape) to \(layers[index].parameters[slot].shape)"
        )
        for (j, i) in ties where i == index { layers[j].parameters = layers[i].parameters }
    }

    /// Replaces layer `index` by `layer`, which must take the same input shape to the same output
    /// shape and have parameter slots of the same shapes (a buggy twin of a layer, a user's own
    /// version of it), so that the blocks stay as they are.
    public mutating func replaceLayer(_ index: Int, with layer: any Layer<Scalar>) {
        precondition(layers.indices.contains(index), "Sequential: no layer \(index) of \(layers.count)")
        var shape = inputShape
        for earlier in layers[..<index] {
            guard case .success(let next) = earlier.outputShape(forInput: shape) else {
                preconditionFailure("Sequential: layer shapes no longer chain before layer \(index)")
            }
            shape = next
        }
        let old = layers[index]
        let oldOut = try? old.outputShape(forInput: shape).get()
        let newOut = try? layer.outputShape(forInput: shape).get()
        precondition(
            oldOut != nil && oldOut == newOut,
            "Sequential.replaceLayer: layer \(index) (\(old.kind)) maps \(shape) to \(oldOut.map { "\($0)" } ?? "nothing"), its replacement (\(layer.kind)) to \(newOut.map { "\($0)" } ?? "nothing")"
        )
        precondition(
            old.parameterSlots.map(\.shape) == layer.parameterSlots.map(\.shape),
            "Sequential.replaceLayer: layer \(index) has parameter shapes \(old.parameterSlots.map(\.shape)), its replacement \(layer.parameterSlots.map(\.shape))"
        )
        layers[index] = layer
        rebuildBlocks()
    }

    /// The unrolled parameter vector: blocks in order, each row-major.
    public var flatParameters: [Scalar] {
        get { ParameterVector.flatten(parameters) }
        set { parameters = ParameterVector.unflatten(newValue, shapes: parameterBlocks.map(\.shape)) }
    }
}
