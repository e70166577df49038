import TensorCore

/// A feed-forward network: layers applied in order, then a loss, plus L2 regularisation.
///
/// Parameters are exposed as named blocks (``parameterBlocks``: `layer1.weight`, `layer1.bias`,
/// …, numbered over the layers that own parameters) and as one unrolled vector
/// (``flatParameters``): blocks in that order, each row-major. A layer can reuse
/// another's parameters (``tie(_:to:)``); its gradient then accumulates into the owner's block.
public struct Sequential<Scalar: TensorScalar>: Sendable {
    public var layers: [any Layer<Scalar>]
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

    /// The unrolled parameter vector: blocks in order, each row-major.
    public var flatParameters: [Scalar] {
        get { ParameterVector.flatten(parameters) }
        set { parameters = ParameterVector.unflatten(newValue, shapes: parameterBlocks.map(\.shape)) }
    }
}
