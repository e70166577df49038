import Testing
import NeuralNet
@testable import GradCheck

/// The bug zoo is the checker's own test suite: every classic mistake must fail, and the
/// diagnosis must name the right block and pattern.
struct BugZooTests {
    @Test(arguments: BugZoo.Bug.allCases)
    func bugIsCaughtAndDiagnosed(_ bug: BugZoo.Bug) throws {
        let objective = try bug.objective()
        let report = checkSeparatingRegularization(objective)
        let text = TextReport(title: bug.rawValue).render(report)
        #expect(report.verdict == .fail, "\(text)")
        let (block, code) = bug.expected
        if block.isEmpty {
            #expect(report.diagnosis.contains { $0.code == code }, "\(text)")
        } else {
            let result = try #require(report.blocks.first { $0.name == block })
            #expect(result.verdict == .fail, "\(text)")
            #expect(
                result.diagnosis.contains { $0.code == code }
                    || report.diagnosis.contains { $0.code == code && ($0.block == nil || $0.block == block) },
                "\(text)")
        }
    }

    @Test func regularizationBugsAreLocatedInTheRegularizationTerm() throws {
        let report = checkSeparatingRegularization(try BugZoo.Bug.biasRegularizedInGradient.objective())
        #expect(report.diagnosis.contains { $0.code == .regularizationTerm })
        let weights = try #require(report.blocks.first { $0.name == "layer1.weight" })
        #expect(weights.verdict == .pass)
        let bias = try #require(report.blocks.first { $0.name == "layer1.bias" })
        #expect(bias.diagnosis.contains { $0.code == .biasOnly })
        #expect(bias.diagnosis.contains { $0.code == .regularization && $0.message.contains("(λ/m)") })
    }
}
