import GradCheck

/// What a failed expectation says: one headline, then the per-block table of
/// `TextReport` (worst entries first, the error bound of each, the diagnosis, the
/// anchors' figures). The Swift Testing and XCTest helpers record exactly this text.
public enum GradientExpectation {
    /// The failure message for a report, or `nil` when it passed (or when it is inconclusive
    /// and `allowInconclusive` is set).
    ///
    /// - Parameters:
    ///   - title: what was checked, for the headline and the table's title.
    ///   - allowInconclusive: accept a verdict of `inconclusive` (error bounds too wide to
    ///     decide, e.g. for a noisy function) as a pass.
    public static func failureMessage(
        for report: GradientReport, title: String = "",
        allowInconclusive: Bool = false
    ) -> String? {
        if report.verdict == .pass || (allowInconclusive && report.verdict == .inconclusive) { return nil }
        let what = title.isEmpty ? "Gradients" : "Gradients of \(title)"
        let headline: String
        switch report.verdict {
        case .fail: headline = "\(what) do not match the numerical derivatives."
        case .inconclusive:
            headline = "\(what) could not be confirmed: the error bounds are too wide to tell right from wrong."
        case .error: headline = "\(what) could not be checked: \(report.errorMessage ?? "evaluation error")."
        case .pass: headline = ""
        }
        return headline + "\n" + TextReport(title: title, rowsPerBlock: 8, color: false).render(report)
    }

    /// The failure message for a Jacobian report: the findings, then each failing row's table.
    public static func failureMessage(
        for report: JacobianReport, title: String = "",
        allowInconclusive: Bool = false
    ) -> String? {
        if report.verdict == .pass || (allowInconclusive && report.verdict == .inconclusive) { return nil }
        let what = title.isEmpty ? "The Jacobian" : "The Jacobian of \(title)"
        var lines = ["\(what) does not match the numerical derivatives (\(report.verdict.rawValue))."]
        for finding in report.diagnosis { lines.append("\(finding.code): \(finding.message)") }
        for (k, row) in report.rows.enumerated() where row.verdict != .pass {
            lines.append("")
            lines.append(
                TextReport(title: "\(title.isEmpty ? "F" : title) row \(k)", rowsPerBlock: 8, color: false).render(row))
        }
        return lines.joined(separator: "\n")
    }
}
