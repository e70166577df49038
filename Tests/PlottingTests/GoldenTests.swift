import Foundation
import Testing
import Plotting

/// The SVG text of the figures in ``GoldenFigures`` must match `Golden/NAME.svg` byte for byte.
///
/// How the golden files were produced: `PLOTTING_UPDATE_GOLDEN=1 swift test --filter GoldenTests`
/// writes the current output into Tests/PlottingTests/Golden/ (and the tests then fail, so that an
/// update is never silent). Each file was then rendered with headless Chromium
/// (`.ci/render-check.sh Tests/PlottingTests/Golden/NAME.svg`) and the PNG checked by eye: labels
/// readable and not overlapping, nothing clipped, gaps where the data has NaN, guides and markers
/// where expected. Re-render and look again whenever a golden file changes.
@Suite("Golden SVG snapshots")
struct GoldenTests {
    static let goldenFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Golden")

    @Test(arguments: GoldenFigures.names)
    func matchesTheGoldenFile(name: String) throws {
        let svg = GoldenFigures.svg(name)
        if ProcessInfo.processInfo.environment["PLOTTING_UPDATE_GOLDEN"] == "1" {
            try svg.write(
                to: Self.goldenFolder.appendingPathComponent(name + ".svg"), atomically: true, encoding: .utf8)
            Issue.record(
                "wrote Golden/\(name).svg; check it visually, then run the tests again without PLOTTING_UPDATE_GOLDEN")
            return
        }
        let url = try #require(
            Bundle.module.url(forResource: name, withExtension: "svg", subdirectory: "Golden"),
            "Golden/\(name).svg is missing; see this file's documentation")
        let golden = try String(contentsOf: url, encoding: .utf8)
        #expect(svg == golden, "\(name).svg differs from the golden file; see this file's documentation")
        if svg != golden {
            let (mine, theirs) = (svg.split(separator: "\n"), golden.split(separator: "\n"))
            if let line = zip(mine, theirs).enumerated().first(where: { $0.element.0 != $0.element.1 }) {
                Issue.record(
                    "first difference at line \(line.offset + 1):\n  got      \(line.element.0)\n  expected \(line.element.1)"
                )
            }
        }
    }
}
