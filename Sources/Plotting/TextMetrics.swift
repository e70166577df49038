/// Estimated text widths for layout, without a font engine.
///
/// Per-character advance widths in em, rounded from DejaVu Sans and Liberation Sans (Arial metrics),
/// the sans-serif fonts of Linux and Windows; other fonts differ by a few per cent, which the
/// layout's padding absorbs.
enum TextMetrics {
    static func width(of text: String, size: Double) -> Double {
        text.reduce(0) { $0 + advance($1) } * size
    }

    private static func advance(_ character: Character) -> Double {
        switch character {
        case "i", "j", "l", "!", "|", "'", ".", ",", ":", ";": return 0.28
        case " ", "f", "t", "r", "(", ")", "[", "]", "/", "\\", "I": return 0.36
        case "m", "w", "M", "W", "∞": return 0.86
        case "⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹", "⁻": return 0.42
        case "0"..."9", "−", "-", "+", "=", "×", "e": return 0.6
        case "A"..."Z": return 0.68
        default: return 0.58
        }
    }
}
