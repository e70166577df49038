@_exported import SeededRandom

/// GradScope's seeded pseudo-random number generator: xoshiro256** (Blackman & Vigna,
/// "Scrambled linear pseudorandom number generators", ACM TOMS 2021), seeded by expanding
/// one 64-bit seed with SplitMix64 (Steele, Lea & Flood, OOPSLA 2014).
///
/// The integer sequence is defined by integer arithmetic only, so a seed gives the same
/// numbers on every platform and Swift version. Derived values are also platform-independent:
/// ``nextDouble()`` uses the top 53 bits (`(x >> 11) · 2⁻⁵³`), ``nextFloat()`` the top 24 bits.
/// Normal deviates use the Box–Muller transform, which calls `log`, `sqrt` and `cos`;
/// those may differ in the last bit between C libraries.
///
/// The golden sequence in `Tests/TensorCoreTests/Fixtures/prng_golden.json` was produced
/// by an independent Python implementation (`prng_golden.py` beside it).
public struct PRNG: RandomNumberGenerator, Sendable, Hashable {
    @usableFromInline var s0, s1, s2, s3: UInt64

    /// Creates a generator whose state is four successive SplitMix64 outputs of `seed`.
    public init(seed: UInt64) {
        var sm = SplitMix64(state: seed)
        s0 = sm.next(); s1 = sm.next(); s2 = sm.next(); s3 = sm.next()
    }

    /// The next 64 random bits.
    @inlinable
    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    @inlinable
    func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform `Double` in [0, 1) with 53 random bits.
    @inlinable
    public mutating func nextDouble() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A uniform `Float` in [0, 1) with 24 random bits.
    @inlinable
    public mutating func nextFloat() -> Float { Float(next() >> 40) * 0x1.0p-24 }

    /// A uniform integer in `0..<bound` without bias (Lemire, "Fast random integer generation
    /// in an interval", ACM TOMACS 2019; ``Shuffle/index(below:using:)``).
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "nextInt(below:) needs a positive bound, got \(bound)")
        return Shuffle.index(below: bound, using: &self)
    }

    /// A standard normal deviate by Box–Muller: √(−2 ln u₁)·cos(2π u₂) with u₁ ∈ (0, 1].
    public mutating func nextNormal() -> Double {
        let u1 = 1.0 - nextDouble()
        let u2 = nextDouble()
        return (-2.0 * Double.log(u1)).squareRoot() * Double.cos(2.0 * Double.pi * u2)
    }

    /// Fisher–Yates shuffle of `0..<count` driven by ``nextInt(below:)``
    /// (``Shuffle/permutation(count:using:)``); the same seed gives the same permutation
    /// everywhere (unlike `shuffled(using:)`, whose algorithm is unspecified).
    public mutating func permutation(_ count: Int) -> [Int] {
        Shuffle.permutation(count: count, using: &self)
    }

    /// An independent generator for a sub-task, derived from this one's next output.
    public mutating func split() -> PRNG { PRNG(seed: next()) }
}
