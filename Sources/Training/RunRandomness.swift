import TensorCore

/// The generators a run draws from, derived from (seed, stream, counter) rather than carried
/// along: epoch e's shuffle uses `generator(.shuffle, e)` and step t's dropout masks
/// `generator(.dropout, t)`. A checkpoint then needs only the seed, the epoch and the step to
/// let a resumed run draw exactly what the uninterrupted run would have drawn.
///
/// Derivation: one SplitMix64 output (Steele, Lea & Flood 2014) of
/// seed + stream·φ + counter·c, with φ = 0x9E3779B97F4A7C15 (the golden-ratio increment) and
/// c = 0xBF58476D1CE4E5B9 (SplitMix64's first multiplier), seeds a ``PRNG``.
public enum RunRandomness {
    public enum Stream: UInt64, Sendable {
        case shuffle = 1, dropout = 2
    }

    public static func generator(seed: UInt64, _ stream: Stream, _ counter: Int) -> PRNG {
        var mixer = SplitMix64(
            state: seed &+ stream.rawValue &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(bitPattern: Int64(counter))
                &* 0xBF58_476D_1CE4_E5B9)
        return PRNG(seed: mixer.next())
    }
}
