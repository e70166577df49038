/// The image indices of one epoch, cut into minibatches of `batchSize` (the last one shorter unless
/// `dropLast`).
///
/// For a new order each epoch, pass the same generator to each epoch's `Minibatches`: epoch k then
/// uses the k-th permutation drawn from the generator's stream.
public struct Minibatches: Sequence, Sendable {
    /// The epoch's order of image indices.
    public let order: [Int]
    public let batchSize: Int
    /// Whether a final batch shorter than `batchSize` is left out.
    public let dropLast: Bool

    /// Batches in index order `0, 1, …, count − 1`.
    public init(count: Int, batchSize: Int, dropLast: Bool = false) {
        self.init(order: Array(0..<count), batchSize: batchSize, dropLast: dropLast)
    }

    /// Batches in the order of ``Shuffle/permutation(count:using:)``.
    public init(
        count: Int, batchSize: Int, dropLast: Bool = false, shuffledBy generator: inout some RandomNumberGenerator
    ) {
        self.init(order: Shuffle.permutation(count: count, using: &generator), batchSize: batchSize, dropLast: dropLast)
    }

    /// Batches in a given order.
    public init(order: [Int], batchSize: Int, dropLast: Bool = false) {
        precondition(batchSize > 0, "batch size must be positive, got \(batchSize)")
        self.order = order
        self.batchSize = batchSize
        self.dropLast = dropLast
    }

    /// The number of batches the sequence yields.
    public var batchCount: Int {
        dropLast ? order.count / batchSize : (order.count + batchSize - 1) / batchSize
    }

    public func makeIterator() -> Iterator {
        Iterator(batches: self)
    }

    public struct Iterator: IteratorProtocol, Sendable {
        let batches: Minibatches
        var produced = 0

        public mutating func next() -> [Int]? {
            guard produced < batches.batchCount else { return nil }
            let start = produced * batches.batchSize
            let end = Swift.min(start + batches.batchSize, batches.order.count)
            produced += 1
            return Array(batches.order[start..<end])
        }
    }
}
