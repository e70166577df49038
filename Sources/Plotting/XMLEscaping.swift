/// Escaping for XML and HTML text and attribute values (XML 1.0 §2.4, §3.3.3).
///
/// `&`, `<`, `>`, `"` and `'` become entity references. Control characters that XML 1.0 forbids
/// (U+0000–U+001F other than tab, line feed and carriage return) become U+FFFD, so any string
/// gives well-formed output.
public enum XMLEscaping {
    public static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            case "\t", "\n", "\r": escaped.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20: escaped += "\u{FFFD}"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}
