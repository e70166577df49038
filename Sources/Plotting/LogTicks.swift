import Foundation

/// Decade ticks for logarithmic axes: major ticks at 10ᵏ labelled "10ᵏ", minor ticks at
/// 2…9 × 10ᵏ. Over many decades only every s-th decade is labelled (s the smallest stride giving at
/// most `maxLabels` labels, k ≡ 0 mod s), the others become minor ticks, and the 2…9 minor ticks are
/// left out above 6 decades, where they would crowd.
public enum LogTicks {
    /// The decade exponent k with 10ᵏ ≤ x < 10ᵏ⁺¹.
    public static func decade(_ x: Double) -> Int {
        precondition(x > 0 && x.isFinite, "log axes need positive finite values, got \(x)")
        var k = Int(log10(x).rounded(.down))
        if NumberFormatting.pow10(k) > x { k -= 1 }
        if NumberFormatting.pow10(k + 1) <= x { k += 1 }
        return k
    }

    /// Ticks for data in `low...high` (both positive), the axis widened to whole decades; a range
    /// inside one decade spans at least that decade.
    public static func ticks(low: Double, high: Double, maxLabels: Int) -> TickSet {
        let first = decade(low)
        var last = decade(high)
        if NumberFormatting.pow10(last) < high || last == first { last += 1 }
        return ticks(
            decades: first...last, domain: NumberFormatting.pow10(first)...NumberFormatting.pow10(last),
            maxLabels: maxLabels)
    }

    /// Ticks inside fixed positive `limits`, which stay the axis domain.
    public static func ticks(within limits: ClosedRange<Double>, maxLabels: Int) -> TickSet {
        let first = decade(limits.lowerBound)
        let last = decade(limits.upperBound) + 1
        let all = ticks(decades: first...last, domain: limits, maxLabels: maxLabels)
        let inside: (Double) -> Bool = {
            $0 >= limits.lowerBound * (1 - 1e-12) && $0 <= limits.upperBound * (1 + 1e-12)
        }
        return TickSet(domain: limits, major: all.major.filter { inside($0.value) }, minor: all.minor.filter(inside))
    }

    static func ticks(decades: ClosedRange<Int>, domain: ClosedRange<Double>, maxLabels: Int) -> TickSet {
        let count = decades.count
        let stride = max(1, Int((Double(count) / Double(max(maxLabels, 1))).rounded(.up)))
        var major: [Tick] = []
        var minor: [Double] = []
        for k in decades {
            if ((k % stride) + stride) % stride == 0 {
                major.append(Tick(value: NumberFormatting.pow10(k), label: NumberFormatting.powerOfTen(k)))
            } else {
                minor.append(NumberFormatting.pow10(k))
            }
            if stride == 1 && count - 1 <= 6 && k < decades.upperBound {
                minor += (2...9).map { Double("\($0)e\(k)")! }
            }
        }
        return TickSet(domain: domain, major: major, minor: minor)
    }
}
