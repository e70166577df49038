import Foundation

/// A self-contained HTML5 report: headings, paragraphs, preformatted text, tables and inline SVG
/// figures, with a small built-in style sheet. All text is escaped; only ``HTMLContent/figure(svg:caption:)``
/// inserts markup as given.
public struct HTMLPage: HTMLContent, Sendable, Hashable {
    public var title: String
    public var blocks: [HTMLBlock]

    public init(title: String, blocks: [HTMLBlock] = []) {
        self.title = title
        self.blocks = blocks
    }

    /// The whole document.
    public func render() -> String {
        var html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        html += "<title>\(XMLEscaping.escape(title))</title>\n<style>\n\(Self.styleSheet)</style>\n</head>\n<body>\n"
        html += "<h1>\(XMLEscaping.escape(title))</h1>\n"
        for block in blocks { html += block.html() }
        html += "</body>\n</html>\n"
        return html
    }

    static let styleSheet = """
        body { font-family: sans-serif; color: #222; max-width: 980px; margin: 2em auto; padding: 0 1em; line-height: 1.45; }
        h1 { font-size: 1.6em; } h2 { font-size: 1.3em; margin-top: 1.6em; } h3 { font-size: 1.1em; }
        section { margin-bottom: 1.5em; }
        pre { background: #F5F5F5; padding: 0.7em 1em; overflow-x: auto; font-size: 0.9em; }
        table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
        caption { text-align: left; font-weight: bold; padding-bottom: 0.3em; }
        th, td { border: 1px solid #D0D0D0; padding: 0.25em 0.6em; text-align: left; }
        th { background: #F0F0F0; }
        td.number { text-align: right; font-variant-numeric: tabular-nums; }
        figure { margin: 1em 0; } figure svg { max-width: 100%; height: auto; }
        figcaption { font-size: 0.9em; color: #555; }

        """
}

/// A section of a report: a heading and its own blocks.
public struct HTMLSection: HTMLContent, Sendable, Hashable {
    public var title: String
    public var blocks: [HTMLBlock]

    public init(title: String, blocks: [HTMLBlock] = []) {
        self.title = title
        self.blocks = blocks
    }
}

/// A link in a report.
public struct HTMLLink: Sendable, Hashable {
    public var text: String
    public var href: String
    public init(_ text: String, href: String) { self.text = text; self.href = href }
}

/// One piece of a report.
public indirect enum HTMLBlock: Sendable, Hashable {
    case heading(String, level: Int)
    case paragraph(String)
    case preformatted(String)
    /// Cells that read as numbers are right-aligned.
    case table(header: [String], rows: [[String]], caption: String?)
    /// Inline SVG (an XML declaration or doctype before `<svg` is dropped).
    case figure(svg: String, caption: String?)
    case section(HTMLSection)
    /// A list of links (relative paths or URLs), each shown with its text.
    case links([HTMLLink])

    func html() -> String {
        switch self {
        case .heading(let text, let level):
            let h = min(max(level, 1), 6)
            return "<h\(h)>\(XMLEscaping.escape(text))</h\(h)>\n"
        case .paragraph(let text):
            return "<p>\(XMLEscaping.escape(text))</p>\n"
        case .preformatted(let text):
            return "<pre>\(XMLEscaping.escape(text))</pre>\n"
        case .table(let header, let rows, let caption):
            var html = "<table>\n"
            if let caption { html += "<caption>\(XMLEscaping.escape(caption))</caption>\n" }
            if !header.isEmpty {
                html += "<thead><tr>" + header.map { "<th>\(XMLEscaping.escape($0))</th>" }.joined() + "</tr></thead>\n"
            }
            html += "<tbody>\n"
            for row in rows {
                html +=
                    "<tr>"
                    + row.map { cell in
                        (Self.isNumber(cell) ? "<td class=\"number\">" : "<td>") + XMLEscaping.escape(cell) + "</td>"
                    }.joined() + "</tr>\n"
            }
            return html + "</tbody>\n</table>\n"
        case .figure(let svg, let caption):
            let start = svg.range(of: "<svg")?.lowerBound ?? svg.startIndex
            var html = "<figure>\n" + svg[start...].trimmingSuffixNewlines() + "\n"
            if let caption { html += "<figcaption>\(XMLEscaping.escape(caption))</figcaption>\n" }
            return html + "</figure>\n"
        case .section(let section):
            return "<section>\n<h2>\(XMLEscaping.escape(section.title))</h2>\n"
                + section.blocks.map { $0.html() }.joined()
                + "</section>\n"
        case .links(let links):
            return "<ul>\n"
                + links.map {
                    "<li><a href=\"\(XMLEscaping.escape($0.href))\">\(XMLEscaping.escape($0.text))</a></li>\n"
                }.joined() + "</ul>\n"
        }
    }

    /// Whether `cell` is a number as the formatters here write them (digits, sign, point, exponent,
    /// U+2212, an optional % or ×): such cells are right-aligned.
    static func isNumber(_ cell: String) -> Bool {
        let trimmed = cell.trimmingCharacters(in: .whitespaces)
        guard let first = trimmed.first, first.isNumber || "-+−.".contains(first) else { return false }
        return trimmed.contains { $0.isNumber } && trimmed.allSatisfy { $0.isNumber || "-+−.eE%×∞ ".contains($0) }
    }
}

/// Appending blocks, shared by ``HTMLPage`` and ``HTMLSection``.
public protocol HTMLContent {
    var blocks: [HTMLBlock] { get set }
}

extension HTMLContent {
    public mutating func heading(_ text: String, level: Int = 2) {
        blocks.append(.heading(text, level: level))
    }

    public mutating func paragraph(_ text: String) {
        blocks.append(.paragraph(text))
    }

    public mutating func preformatted(_ text: String) {
        blocks.append(.preformatted(text))
    }

    public mutating func table(header: [String], rows: [[String]], caption: String? = nil) {
        blocks.append(.table(header: header, rows: rows, caption: caption))
    }

    public mutating func figure(svg: String, caption: String? = nil) {
        blocks.append(.figure(svg: svg, caption: caption))
    }

    /// Appends a section whose blocks `build` adds.
    public mutating func section(_ title: String, _ build: (inout HTMLSection) -> Void) {
        var section = HTMLSection(title: title)
        build(&section)
        blocks.append(.section(section))
    }
}

extension Substring {
    func trimmingSuffixNewlines() -> Substring {
        var text = self
        while text.last == "\n" { text = text.dropLast() }
        return text
    }
}
