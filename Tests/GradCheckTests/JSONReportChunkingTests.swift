import Foundation
import Testing
@testable import GradCheck

/// Large reports are serialised in chunks of entries (bounded memory); the text is byte for
/// byte the one-shot serialisation's.
struct JSONReportChunkingTests {
    @Test(arguments: [JSONReport.entryChunk, JSONReport.entryChunk + 1, 3 * JSONReport.entryChunk + 17])
    func chunkedRenderingIsByteIdentical(entries count: Int) throws {
        var entries = [EntryResult]()
        for i in 0..<count {
            let analytic = Double(i) * 1e-3 - 0.5
            let numeric: Double = i % 11 == 0 ? .nan : analytic + 1e-12
            let bound: Double = i % 13 == 0 ? .infinity : 1e-9
            let verdict: EntryVerdict = i % 5 == 0 ? .fail : .pass
            entries.append(
                EntryResult(
                    block: i % 3 == 0 ? "layer1.weight" : "Theta\(i % 7)", blockIndex: i % 3, index: i,
                    analytic: analytic, numeric: numeric, bound: bound, verdict: verdict, step: 1e-4,
                    truncation: 1e-12, noise: 3e-13))
        }
        let analytics: [Double] = entries.map { $0.analytic }
        let numerics: [Double] = entries.map { $0.numeric }
        let report = GradientReport(
            verdict: .fail, value: 1.25, blocks: [], entries: entries,
            diagnosis: [CheckFinding(code: .scale, message: "a message with \"entries\":[] in it")],
            anchors: AnchorFigures(analytic: analytics, numeric: numerics), evaluations: 9, seconds: 0.5,
            mode: "full", precision: .float64, noise: 1e-16, noiseSource: "test", safetyFactor: 3, seed: 0,
            directions: [],
            errorMessage: nil)
        let oneShot = String(
            decoding: try JSONSerialization.data(withJSONObject: JSONReport.object(report), options: [.sortedKeys]),
            as: UTF8.self)
        #expect(JSONReport.render(report) == oneShot)
    }
}
