import Foundation
import Plotting

/// The HTML report: a block summary, per block a heatmap of error/bound (≤ 1 is inside the
/// bound, > 1 fails; unchecked entries grey), the diagnosis, the anchors, and the text report.
/// All from the same ``GradientReport`` values as the text and JSON reports.
public struct HTMLReport: Sendable {
    public var title: String
    /// As ``TextReport/fullListing``, for the text report embedded in the page.
    public var fullListing: String
    public init(title: String, fullListing: String = "the JSON report lists every entry") {
        self.title = title; self.fullListing = fullListing
    }

    public func render(_ report: GradientReport) -> String {
        var blocks: [HTMLBlock] = []
        blocks.append(
            .paragraph(
                "Verdict: \(report.verdict.rawValue.uppercased()). \(report.entries.count) entries checked in \(report.mode) mode (\(report.precision.rawValue)), \(report.evaluations) evaluations, \(String(format: "%.2f", report.seconds)) s. Measured noise σ = \(shortNumber(report.noise)) (\(report.noiseSource)); bound = \(shortNumber(report.safetyFactor))·(truncation + 2·noise) + rounding floor."
            ))
        if let message = report.errorMessage { blocks.append(.paragraph("Error: \(message)")) }
        blocks.append(
            .table(
                header: [
                    "block", "shape", "verdict", "checked", "failing", "inconclusive", "kinks", "max error", "diagnosis"
                ],
                rows: report.blocks.map { b in
                    [
                        b.name, b.shape.map(String.init).joined(separator: "×"), b.verdict.rawValue, "\(b.checked)",
                        "\(b.failing)",
                        "\(b.inconclusive)", "\(b.kinks)", shortNumber(b.maxError),
                        b.diagnosis.map(\.code.rawValue).joined(separator: ", ")
                    ]
                },
                caption: "Blocks"))
        let findings = report.diagnosis + report.blocks.flatMap(\.diagnosis)
        if !findings.isEmpty {
            blocks.append(
                .table(
                    header: ["code", "block", "finding"],
                    rows: findings.map { [$0.code.rawValue, $0.block ?? "", $0.message] }, caption: "Diagnosis"))
        }
        for (bi, block) in report.blocks.enumerated() {
            let entries = report.entries.filter { $0.blockIndex == bi }
            guard !entries.isEmpty, let map = heatmap(block: block, entries: entries) else { continue }
            blocks.append(
                .figure(
                    svg: map.svg(),
                    caption:
                        "\(block.name): error / bound per entry, on one log colour scale for every block (1e-4 to 1e4; above 1 is outside the bound; grey = not checked)."
                ))
        }
        let a = report.anchors
        blocks.append(
            .table(
                header: ["anchor", "figure", "its own threshold"],
                rows: [
                    ["Ng ex4: ‖n − a‖ / ‖n + a‖", shortNumber(a.ngRelativeDifference), "< 1e-9"],
                    ["cs231n: max relative error", shortNumber(a.cs231nMaxRelativeError), "< 1e-7"],
                    ["PyTorch gradcheck allclose", a.pytorchAllclose ? "holds" : "fails", "|a − n| ≤ 1e-5 + 1e-3·|n|"]
                ], caption: "The anchors' figures on the same numbers"))
        blocks.append(
            .preformatted(TextReport(title: title, rowsPerBlock: 10, fullListing: fullListing).render(report)))
        return HTMLPage(title: "GradScope check: \(title)", blocks: blocks).render()
    }

    /// error/bound laid out in the block's shape (rank-2 as a matrix, otherwise one row).
    func heatmap(block: BlockResult, entries: [EntryResult]) -> Heatmap? {
        let (rows, columns) = block.shape.count == 2 ? (block.shape[0], block.shape[1]) : (1, block.shape.reduce(1, *))
        guard rows * columns > 0, rows * columns <= 250_000 else { return nil }
        var values = [[Double]](repeating: [Double](repeating: .nan, count: columns), count: rows)
        for e in entries {
            let ratio = e.error / max(e.bound, 1e-300)
            values[e.index / columns][e.index % columns] = ratio > 0 ? ratio : 1e-6
        }
        let width = min(960, max(320, 80 + 14 * Double(columns)))
        let height = min(720, max(160, 90 + 14 * Double(rows)))
        return Heatmap(
            title: "\(block.name) — \(block.verdict.rawValue)", values: values,
            rowAxisLabel: block.shape.count == 2 ? "row" : "",
            columnAxisLabel: block.shape.count == 2 ? "column" : "entry",
            colorAxis: Axis("error / bound", scale: .log, limits: 1e-4...1e4), width: width, height: height)
    }
}
