import GradCheck
import NeuralNet
import Testing

/// The law a gap a − D(h) follows over h, h/2, h/4.
struct ErrorLawTests {
    @Test func lawsOfSyntheticGaps() {
        #expect(ErrorLaw(gaps: [0.055, 0.055, 0.055]) == .constant)
        #expect(ErrorLaw(gaps: [-2.87e-8, -2.88e-8, -2.89e-8]) == .constant)
        // Truncation: c·h² toward zero.
        #expect(ErrorLaw(gaps: [16e-9, 4e-9, 1e-9]) == .truncation)
        // A mistake b under a truncation that shrinks toward it: what does not vanish is the mistake.
        #expect(ErrorLaw(gaps: [18e-9, 6e-9, 3e-9]) == .constant)
        // Noise: grows as 1/h, or flips sign.
        #expect(ErrorLaw(gaps: [1e-9, 2e-9, 4e-9]) == .noise)
        #expect(ErrorLaw(gaps: [3e-9, -2e-9, 1e-9]) == .noise)
        #expect(ErrorLaw(gaps: [1e-3, 2e-3, 1.5e-3]) == .mixed)
        #expect(ErrorLaw(gaps: [1, 2]) == nil)
        #expect(ErrorLaw.truncation.canFail == false && ErrorLaw.noise.canFail == false)
        #expect(ErrorLaw.constant.canFail && ErrorLaw.mixed.canFail)
    }

    /// Every failing block of the built-in mistakes rests on a constant gap, and says so.
    @Test(arguments: BugZoo.Bug.allCases.filter { $0 != .dropoutLeftOn })
    func zooFailuresAreConstantGaps(_ bug: BugZoo.Bug) throws {
        let report = check(try bug.objective())
        for block in report.blocks where block.verdict == .fail {
            #expect(block.errorLaw == .constant, "\(bug.rawValue) \(block.name): \(String(describing: block.errorLaw))")
        }
        let text = TextReport().render(report)
        #expect(text.contains("not a step-size effect"), "\(text)")
    }
}

/// Sample mode says what its sample could have missed.
struct SamplePowerTests {
    @Test func unseenProbabilityOfConfinedMistakes() throws {
        let problem: SupervisedProblem<Double> = try ArchitectureSpec(layers: [8, 16, 4], examples: 6).problem()
        let report = check(
            try ModelObjective(problem), configuration: CheckConfiguration(mode: .sample(perBlock: 8), seed: 1))
        let weight = try #require(report.blocks.first { $0.name == "layer1.weight" })
        #expect(weight.checked == 8)
        let p = try #require(weight.unseenProbability)
        #expect(abs(p[1]! - (1 - 8.0 / 128)) < 1e-12)
        // C(120, 10)/C(128, 10): the product of (120 − j)/(128 − j) for j < 10.
        let expected = (0..<10).reduce(1.0) { $0 * Double(120 - $1) / Double(128 - $1) }
        #expect(abs(p[10]! - expected) < 1e-12 && p[10]! < p[1]!)
        #expect(BlockResult.unseenProbability(entries: 5, checked: 5, confinedTo: 1) == 0)
        let json = JSONReport.render(report)
        #expect(json.contains("\"unseenProbability\""))
        if report.verdict == .pass {
            #expect(TextReport().render(report).contains("goes unseen with probability"))
        }
    }
}
