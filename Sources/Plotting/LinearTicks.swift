import Foundation

/// "Nice numbers for graph labels" (P. S. Heckbert, Graphics Gems, 1990), loose labelling: the
/// spacing is 1, 2 or 5 × 10ᵏ and the axis is widened to the nearest tick on either side.
///
///     range = nice(max − min, round: false)      nice(x): f = x / 10^⌊log₁₀ x⌋ becomes
///     step  = nice(range / (target − 1), round: true)   1, 2, 5 or 10 (round: f < 1.5, 3, 7;
///     ticks = ⌊min/step⌋·step, …, ⌈max/step⌉·step         otherwise f ≤ 1, 2, 5)
///
/// Tick values are computed as integer × 10ᵏ and converted from decimal text, so 0.6 is exactly the
/// `Double` nearest 0.6 (not 3 × 0.2 = 0.6000000000000001).
public enum LinearTicks {
    /// A 1, 2 or 5 × 10^exponent value as (mantissa ∈ {1, 2, 5}, exponent).
    public static func niceNumber(_ x: Double, round: Bool) -> (mantissa: Int, exponent: Int) {
        precondition(x > 0 && x.isFinite, "nice numbers need a positive finite value, got \(x)")
        var exponent = Int(log10(x).rounded(.down))
        // log10 may be off by one ulp at exact powers of ten; move to the decade that holds x.
        if NumberFormatting.pow10(exponent) > x { exponent -= 1 }
        if NumberFormatting.pow10(exponent + 1) <= x { exponent += 1 }
        let fraction = x / NumberFormatting.pow10(exponent)
        let mantissa: Int
        if round {
            mantissa = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        } else {
            mantissa = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        }
        return mantissa == 10 ? (1, exponent + 1) : (mantissa, exponent)
    }

    /// Heckbert's loose ticks for data in `low...high` with about `target` ticks (at least 2).
    /// A zero-width range is widened first: ±1 around 0, otherwise ±|value|/2.
    public static func ticks(low: Double, high: Double, target: Int) -> TickSet {
        precondition(low.isFinite && high.isFinite && low <= high, "bad range \(low)...\(high)")
        var (low, high) = (low, high)
        if low == high {
            let half = low == 0 ? 1 : abs(low) / 2
            (low, high) = (low - half, high + half)
        }
        let range = niceNumber(high - low, round: false)
        let rangeValue = Double(range.mantissa) * NumberFormatting.pow10(range.exponent)
        let step = niceNumber(rangeValue / Double(max(target, 2) - 1), round: true)
        let stepValue = Double(step.mantissa) * NumberFormatting.pow10(step.exponent)
        let first = Int((low / stepValue + 1e-9).rounded(.down))
        let last = Int((high / stepValue - 1e-9).rounded(.up))
        let major = (first...last).map { tick($0 * step.mantissa, exponent: step.exponent) }
        return TickSet(domain: major.first!.value...major.last!.value, major: major, minor: [])
    }

    /// Heckbert's tick spacing for data in `limits`, keeping only the ticks inside the limits, which
    /// stay the axis domain.
    public static func ticks(within limits: ClosedRange<Double>, target: Int) -> TickSet {
        let loose = ticks(low: limits.lowerBound, high: limits.upperBound, target: target)
        let tolerance = 1e-9 * (limits.upperBound - limits.lowerBound)
        let inside = loose.major.filter {
            $0.value >= limits.lowerBound - tolerance && $0.value <= limits.upperBound + tolerance
        }
        return TickSet(domain: limits, major: inside, minor: [])
    }

    /// The tick `multiple × 10^exponent`, labelled in plain notation, or scientific notation when
    /// the step is below 10⁻⁴ or the value reaches 10⁶.
    static func tick(_ multiple: Int, exponent: Int) -> Tick {
        let value = Double("\(multiple)e\(exponent)")!
        let scientific = exponent < -4 || abs(value) >= 1e6
        let label =
            scientific
            ? NumberFormatting.scientific(mantissa: multiple, exponent: exponent)
            : NumberFormatting.decimal(mantissa: multiple, exponent: exponent)
        return Tick(value: value, label: label)
    }
}
