import Foundation

/// Locale-free, platform-independent number text for SVG output and tick labels.
///
/// Swift's `description` of a `Double` is the shortest decimal that reads back as the same value
/// (the same on every platform), so rounding first to a fixed number of decimals makes the text
/// depend only on the value.
enum NumberFormatting {
    /// A coordinate rounded to 2 decimals, without trailing zeros: 12.5, 3, -0.25 (never "-0").
    static func coordinate(_ value: Double) -> String {
        precondition(value.isFinite, "SVG coordinates must be finite, got \(value)")
        let hundredths = (value * 100).rounded()
        if hundredths == 0 { return "0" }
        if abs(hundredths) < 1e15 {
            let integer = Int64(hundredths)
            let sign = integer < 0 ? "-" : ""
            let magnitude = integer.magnitude
            let whole = magnitude / 100
            let fraction = magnitude % 100
            if fraction == 0 { return "\(sign)\(whole)" }
            let digits = fraction < 10 ? "0\(fraction)" : "\(fraction)"
            return "\(sign)\(whole).\(digits.hasSuffix("0") ? String(digits.dropLast()) : digits)"
        }
        return (hundredths / 100).description
    }

    /// `mantissa × 10^exponent` in plain notation, with exactly max(0, −exponent) decimals and a
    /// minus sign U+2212: (25, −1) → "2.5", (−3, 0) → "−3", (10, −1) → "1.0", (2, 3) → "2000".
    static func decimal(mantissa: Int, exponent: Int) -> String {
        let sign = mantissa < 0 ? "\u{2212}" : ""
        var digits = String(mantissa.magnitude)
        if exponent >= 0 { return sign + digits + String(repeating: "0", count: mantissa == 0 ? 0 : exponent) }
        let decimals = -exponent
        if digits.count <= decimals { digits = String(repeating: "0", count: decimals - digits.count + 1) + digits }
        let split = digits.index(digits.endIndex, offsetBy: -decimals)
        return sign + digits[..<split] + "." + digits[split...]
    }

    /// `mantissa × 10^exponent` in scientific notation with the shortest mantissa:
    /// (25, −8) → "2.5e−7", (10, −7) → "1e−6", (0, −7) → "0".
    static func scientific(mantissa: Int, exponent: Int) -> String {
        guard mantissa != 0 else { return "0" }
        let sign = mantissa < 0 ? "\u{2212}" : ""
        var digits = String(mantissa.magnitude)
        let power = exponent + digits.count - 1
        while digits.count > 1 && digits.hasSuffix("0") { digits.removeLast() }
        let head = digits.prefix(1)
        let tail = digits.dropFirst()
        let powerText = power < 0 ? "\u{2212}\(-power)" : "\(power)"
        return sign + head + (tail.isEmpty ? "" : "." + tail) + "e" + powerText
    }

    /// 10 to the power `exponent` with Unicode superscripts: 10⁻⁸, 10⁰, 10¹².
    static func powerOfTen(_ exponent: Int) -> String {
        let superscripts: [Character] = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]
        let digits = String(exponent.magnitude).map { superscripts[Int(String($0))!] }
        return "10" + (exponent < 0 ? "⁻" : "") + String(digits)
    }

    /// A value with 3 significant digits for cell annotations and tables: 0.0123 → "0.0123",
    /// 1.5e-7 → "1.5e−7", 12345 → "1.23e4"; non-finite values as "NaN", "∞", "−∞".
    static func compact(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value < 0 ? "\u{2212}∞" : "∞") }
        if value == 0 { return "0" }
        var exponent = Int(log10(abs(value)).rounded(.down)) - 2
        var mantissa = Int((value / pow10(exponent)).rounded())
        if abs(mantissa) >= 1000 { exponent += 1; mantissa = Int((value / pow10(exponent)).rounded()) }
        let power = exponent + 2
        if power < -3 || power >= 4 { return scientific(mantissa: mantissa, exponent: exponent) }
        while exponent < 0 && mantissa % 10 == 0 { mantissa /= 10; exponent += 1 }
        return decimal(mantissa: mantissa, exponent: exponent)
    }

    /// 10^exponent, correctly rounded (decimal text parsing is correctly rounded).
    static func pow10(_ exponent: Int) -> Double {
        Double("1e\(exponent)")!
    }
}
