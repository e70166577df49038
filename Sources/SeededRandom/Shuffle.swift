/// Seeded, platform-independent bounded integers and shuffling: the one implementation of
/// Lemire's method and Fisher–Yates in GradScope (TensorCore's ``PRNG`` draws through it too).
///
/// The standard library's `shuffle(using:)` and `next(upperBound:)` do not promise a fixed
/// algorithm across Swift versions; these functions do, so a seed names the same order everywhere.
public enum Shuffle {
    /// A uniform integer in `0..<bound` by Lemire's multiply-and-reject method (D. Lemire, "Fast
    /// random integer generation in an interval", ACM TOMACS 29(1), 2019, algorithm 5): the high
    /// word of `x · bound`, drawing again while the low word is below `2⁶⁴ mod bound`. Unbiased.
    @inlinable
    public static func index(below bound: Int, using generator: inout some RandomNumberGenerator) -> Int {
        precondition(bound > 0, "bound must be positive, got \(bound)")
        let range = UInt64(bound)
        var product = generator.next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = generator.next().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }

    /// Shuffles `elements` in place by Durstenfeld's Fisher–Yates: for i from n − 1 down to 1, swap
    /// element i with element ``index(below:using:)``(i + 1). Draws n − 1 bounded integers.
    @inlinable
    public static func shuffle<Element>(_ elements: inout [Element], using generator: inout some RandomNumberGenerator)
    {
        guard elements.count > 1 else { return }
        for i in stride(from: elements.count - 1, to: 0, by: -1) {
            elements.swapAt(i, index(below: i + 1, using: &generator))
        }
    }

    /// A random permutation of `0..<count`: ``shuffle(_:using:)`` applied to `[0, 1, …, count − 1]`.
    @inlinable
    public static func permutation(count: Int, using generator: inout some RandomNumberGenerator) -> [Int] {
        var order = Array(0..<count)
        shuffle(&order, using: &generator)
        return order
    }

    /// A permutation of `0..<count` from ``SplitMix64`` seeded with `seed`.
    public static func permutation(count: Int, seed: UInt64) -> [Int] {
        var generator = SplitMix64(seed: seed)
        return permutation(count: count, using: &generator)
    }
}
