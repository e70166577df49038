import GradCheck

/// The reports as the command line prints them: where the reader finds every entry is a flag.
extension TextReport {
    static let fullListingFlag = "--format json lists every entry"

    static func commandLine(title: String = "", rowsPerBlock: Int = 8, color: Bool = false) -> TextReport {
        TextReport(title: title, rowsPerBlock: rowsPerBlock, color: color, fullListing: fullListingFlag)
    }
}

extension HTMLReport {
    static func commandLine(title: String) -> HTMLReport {
        HTMLReport(title: title, fullListing: TextReport.fullListingFlag)
    }
}
