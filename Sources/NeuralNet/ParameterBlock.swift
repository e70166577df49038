/// One named parameter block of a model, as the checker, optimizers and monitors see it:
/// `layer1.weight` with its shape and role, and where it lives in the unrolled vector.
public struct ParameterBlock: Sendable, Hashable, Codable {
    /// `layer{k}.{slot}`, where k counts the layers that own parameters, from 1.
    public var name: String
    public var shape: [Int]
    public var role: ParameterRole
    /// The index of the owning layer in ``Sequential/layers``.
    public var layerIndex: Int
    /// The slot within that layer's ``Layer/parameterSlots``.
    public var slotIndex: Int
    /// The offset of the block's first entry in the unrolled parameter vector.
    public var offset: Int

    public var count: Int { shape.reduce(1, *) }
    public var range: Range<Int> { offset..<(offset + count) }
}
