import Foundation
import Testing

/// Failure messages compared with committed text in `Snapshots/`, after normalising what may
/// vary: the run time always, and with `numbers: true` every number, sign and run of spaces (for reports whose last
/// digits depend on the matrix-multiply kernel). `GRADSCOPE_RECORD_SNAPSHOTS=1 swift test`
/// rewrites the files.
enum Snapshot {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Snapshots")

    static func normalise(_ text: String, numbers: Bool) -> String {
        var t = text.replacingOccurrences(of: #", [0-9]+\.[0-9]+ s\)"#, with: ", #.## s)", options: .regularExpression)
        if numbers {
            // Signs and column padding go too: rows whose order rests on last digits then
            // read the same.
            t = t.replacingOccurrences(
                of: #"(?<![A-Za-z0-9])-?[0-9]+(\.[0-9]+)?(e[-+]?[0-9]+)?"#, with: "#", options: .regularExpression)
            t = t.replacingOccurrences(of: #" +"#, with: " ", options: .regularExpression)
        }
        return t
    }

    static func expectMatches(
        _ text: String, named name: String, numbers: Bool = false,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let url = directory.appendingPathComponent(name + ".txt")
        let actual = normalise(text, numbers: numbers)
        if ProcessInfo.processInfo.environment["GRADSCOPE_RECORD_SNAPSHOTS"] == "1" {
            try actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(actual == expected, "snapshot \(name) differs; actual:\n\(actual)", sourceLocation: sourceLocation)
    }
}
