import GradCheck

/// The reports as the command line prints them: where the reader finds every entry is a flag.
extension TextReport {
    static let fullListingFlag = "--format json lists every entry"

    /// `builtInModel`: the model can compute in float64, so a float32 check names `--dtype float64`.
    static func commandLine(
        title: String = "", rowsPerBlock: Int = 8, color: Bool = false, builtInModel: Bool = false
    ) -> TextReport {
        var report = TextReport(title: title, rowsPerBlock: rowsPerBlock, color: color, fullListing: fullListingFlag)
        if builtInModel { report.float64Hint = "--dtype float64 would see much smaller mistakes" }
        return report
    }
}

extension HTMLReport {
    static func commandLine(title: String) -> HTMLReport {
        HTMLReport(title: title, fullListing: TextReport.fullListingFlag)
    }
}
