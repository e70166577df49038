/// The fields of a plain comma-separated file: records end with LF or CRLF, fields are split at every
/// comma and trimmed of spaces and tabs, and a final empty line is ignored. Quoted fields are not
/// supported (a `"` is an error), since the numeric files read here never need them.
struct CSVRecords {
    /// `fields[r][c]` is column c + 1 of line r + 1.
    var fields: [[Substring]]

    init(text: String, file: String) throws(DatasetError) {
        // "\r\n" is one Character in Swift, so both separators are named.
        var lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        if lines.last?.isEmpty == true { lines.removeLast() }
        fields = []
        fields.reserveCapacity(lines.count)
        for (lineIndex, line) in lines.enumerated() {
            guard !line.isEmpty else {
                throw .csv(file: file, line: lineIndex + 1, column: 1, reason: "empty line")
            }
            let record = line.split(separator: ",", omittingEmptySubsequences: false).map(Self.trimmed)
            if let column = record.firstIndex(where: { $0.contains("\"") }) {
                throw .csv(
                    file: file, line: lineIndex + 1, column: column + 1, reason: "quoted fields are not supported")
            }
            fields.append(record)
        }
    }

    private static func trimmed(_ field: Substring) -> Substring {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = field.firstIndex(where: { !isBlank($0) }),
            let last = field.lastIndex(where: { !isBlank($0) })
        else { return field[field.endIndex...] }
        return field[first...last]
    }
}
