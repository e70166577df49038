/// A branch-free single-precision e^x that the compiler vectorises, for the sigmoid and tanh
/// kernels (libm's `expf` is a function call per element and blocks vectorisation).
///
/// Method (Cody & Waite 1980; the polynomial is Cephes' `expf`, S. L. Moshier 1984–2000):
/// x is clamped to [−87, 88] (so that 2ⁿ below is a normal number and the result finite),
/// n = round(x·log₂e) via the 1.5·2²³ rounding trick, r = x − n·ln 2 with ln 2 split in a
/// high part exact in 9 bits and a low part, and e^r ≈ 1 + r + r²·P(r) with a degree-5 minimax
/// P on |r| ≤ ½ln 2. Then e^x = 2ⁿ·e^r, with 2ⁿ built from its exponent bits.
///
/// Error: at most 2 ulp against a correctly rounded e^x on [−87, 88] (checked in the tests
/// against `Double.exp` on a dense grid); below −87 it returns e^−87 ≈ 1.6·10⁻³⁸ instead of
/// a smaller or subnormal value, above 88 it returns e^88.
@inline(__always)
func fastExp(_ value: Float) -> Float {
    let x = Swift.min(Swift.max(value, -87), 88)
    // t = x·log₂e + 1.5·2²³ rounds x·log₂e to an integer held in t's low mantissa bits.
    let shifter: Float = 12_582_912
    let t = x * 1.442_695_04 + shifter
    let n = t - shifter
    let r = (x - n * 0.693_359_375) - n * -2.121_944_4e-4
    var p: Float = 1.987_569_15e-4
    p = p * r + 1.398_199_95e-3
    p = p * r + 8.333_451_9e-3
    p = p * r + 4.166_579_59e-2
    p = p * r + 1.666_666_55e-1
    p = p * r + 5.000_000_12e-1
    let er = p * (r * r) + r + 1
    // 2ⁿ: t's bit pattern is 0x4B40_0000 + n for |n| < 2²²; move n + 127 into the exponent field.
    let scale = Float(bitPattern: (t.bitPattern &- 0x4B40_0000 &+ 127) << 23)
    return er * scale
}
