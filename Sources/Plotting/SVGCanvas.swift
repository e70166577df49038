/// Dash patterns for lines.
public enum LineStyle: String, Sendable, Hashable {
    case solid
    case dashed
    case dotted
    case dashDot

    /// The SVG `stroke-dasharray`, scaled to the line width so thick lines keep their rhythm.
    func dashArray(width: Double) -> String? {
        let unit = max(width, 1)
        let pattern: [Double]
        switch self {
        case .solid: return nil
        case .dashed: pattern = [5, 3]
        case .dotted: pattern = [1, 2.5]
        case .dashDot: pattern = [6, 2.5, 1, 2.5]
        }
        return pattern.map { NumberFormatting.coordinate($0 * unit) }.joined(separator: " ")
    }
}

/// How text is anchored horizontally at its position.
enum TextAnchor: String {
    case start, middle, end
}

/// Accumulates SVG elements as text, one per line, with fixed attribute order and number formatting
/// so that equal drawings give byte-identical files.
struct SVGCanvas {
    let width: Double
    let height: Double
    private(set) var lines: [String] = []
    private var depth = 1

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    private static func f(_ value: Double) -> String {
        NumberFormatting.coordinate(value)
    }

    private mutating func emit(_ element: String) {
        lines.append(String(repeating: "  ", count: depth) + element)
    }

    mutating func beginGroup(_ attributes: String = "") {
        emit(attributes.isEmpty ? "<g>" : "<g \(attributes)>")
        depth += 1
    }

    mutating func endGroup() {
        depth -= 1
        emit("</g>")
    }

    mutating func comment(_ text: String) {
        emit("<!-- \(XMLEscaping.escape(text).replacingOccurrences(of: "--", with: "- -")) -->")
    }

    mutating func rect(_ r: Rect, fill: Color?, stroke: Color? = nil, strokeWidth: Double = 1, title: String? = nil) {
        var element =
            "<rect x=\"\(Self.f(r.x))\" y=\"\(Self.f(r.y))\" width=\"\(Self.f(r.width))\" height=\"\(Self.f(r.height))\""
        element += " fill=\"\(fill.map(\.description) ?? "none")\""
        if let stroke { element += " stroke=\"\(stroke)\" stroke-width=\"\(Self.f(strokeWidth))\"" }
        if let title {
            emit(element + "><title>\(XMLEscaping.escape(title))</title></rect>")
        } else {
            emit(element + "/>")
        }
    }

    mutating func line(from a: Point, to b: Point, stroke: Color, width: Double = 1, style: LineStyle = .solid) {
        var element = "<line x1=\"\(Self.f(a.x))\" y1=\"\(Self.f(a.y))\" x2=\"\(Self.f(b.x))\" y2=\"\(Self.f(b.y))\""
        element += " stroke=\"\(stroke)\" stroke-width=\"\(Self.f(width))\""
        if let dash = style.dashArray(width: width) { element += " stroke-dasharray=\"\(dash)\"" }
        emit(element + "/>")
    }

    /// One `<path>` of straight segments: each polyline starts with M, continues with L.
    mutating func polylines(_ polylines: [[Point]], stroke: Color, width: Double, style: LineStyle) {
        let data = polylines.filter { $0.count >= 2 }.map { points in
            points.enumerated().map { index, p in (index == 0 ? "M" : "L") + Self.f(p.x) + " " + Self.f(p.y) }
                .joined(separator: " ")
        }.joined(separator: " ")
        guard !data.isEmpty else { return }
        var element = "<path d=\"\(data)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(Self.f(width))\""
        element += " stroke-linejoin=\"round\" stroke-linecap=\"round\""
        if let dash = style.dashArray(width: width) { element += " stroke-dasharray=\"\(dash)\"" }
        emit(element + "/>")
    }

    mutating func circle(center: Point, radius: Double, fill: Color) {
        emit("<circle cx=\"\(Self.f(center.x))\" cy=\"\(Self.f(center.y))\" r=\"\(Self.f(radius))\" fill=\"\(fill)\"/>")
    }

    /// Text with its baseline at `position`.
    /// - Parameters:
    ///   - rotation: degrees clockwise about `position`.
    ///   - halo: a white outline under the glyphs, so text stays readable over lines.
    mutating func text(
        _ string: String, at position: Point, size: Double, anchor: TextAnchor = .start,
        color: Color = .ink, bold: Bool = false, rotation: Double = 0, halo: Bool = false
    ) {
        var element = "<text x=\"\(Self.f(position.x))\" y=\"\(Self.f(position.y))\" font-size=\"\(Self.f(size))\""
        if anchor != .start { element += " text-anchor=\"\(anchor.rawValue)\"" }
        if bold { element += " font-weight=\"bold\"" }
        element += " fill=\"\(color)\""
        if halo { element += " stroke=\"#FFFFFF\" stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\"" }
        if rotation != 0 {
            element += " transform=\"rotate(\(Self.f(rotation)) \(Self.f(position.x)) \(Self.f(position.y)))\""
        }
        emit(element + ">\(XMLEscaping.escape(string))</text>")
    }

    /// The finished document: an `<svg>` element (no XML declaration, so it can be inlined in HTML)
    /// with a white background.
    func document(title: String) -> String {
        let w = Self.f(width)
        let h = Self.f(height)
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\""
        out += " font-family=\"sans-serif\" role=\"img\">\n"
        if !title.isEmpty { out += "  <title>\(XMLEscaping.escape(title))</title>\n" }
        out += "  <rect x=\"0\" y=\"0\" width=\"\(w)\" height=\"\(h)\" fill=\"#FFFFFF\"/>\n"
        out += lines.joined(separator: "\n")
        out += lines.isEmpty ? "</svg>\n" : "\n</svg>\n"
        return out
    }
}
