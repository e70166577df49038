/// SplitMix64, a 64-bit generator with a 64-bit state (Steele, Lea and Flood, "Fast splittable
/// pseudorandom number generators", OOPSLA 2014; the constants are those of `java.util.SplittableRandom`
/// and of Vigna's reference `splitmix64.c`):
///
///     state += 0x9E3779B97F4A7C15
///     z = (state ^ (state >> 30)) * 0xBF58476D1CE4E5B9
///     z = (z ^ (z >> 27)) * 0x94D049BB133111EB
///     return z ^ (z >> 31)
///
/// Integer arithmetic only, so a seed gives the same stream on every platform and Swift version.
/// With seed 0 the first outputs are 0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F.
///
/// The one implementation in GradScope: TensorCore's ``PRNG`` expands its seed with it, Datasets
/// shuffles and splits with it, and both re-export this module.
public struct SplitMix64: RandomNumberGenerator, Sendable, Hashable {
    public var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    /// The generator whose next output is computed from `state` (the same as `init(seed:)`).
    public init(state: UInt64) {
        self.state = state
    }

    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
