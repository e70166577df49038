import Foundation
import Testing
import TensorCore
import NeuralNet
@testable import GradCheck

struct ModesAndReportsTests {
    static func ex4(lambda: Double = 1, examples: Int = 200) throws -> ModelObjective<Double> {
        try ModelObjective(try Preset.ex4.problem(ArchitectureSpec(lambda: lambda, examples: examples)))
    }

    @Test func directionalModeDecidesWithinTwelveEvaluations() throws {
        let report = check(try Self.ex4(), configuration: CheckConfiguration(mode: .directional(directions: 2)))
        #expect(report.verdict == .pass, "\(report.directions)")
        #expect(report.evaluations <= 12)
        #expect(report.directions.count == 2)
    }

    @Test func directionalModeCatchesAndLocalisesABug() throws {
        let base = try Self.ex4()
        let wrong = AdjustedObjective(
            base,
            gradient: { c, g in
                var g = g
                let b = c.blocks[3]  // layer2.bias: drop its gradient
                for i in b.range { g[i] = 0 }
                return g
            })
        let report = check(wrong, configuration: CheckConfiguration(mode: .directional(directions: 2)))
        #expect(report.verdict == .fail)
        #expect(report.blocks.filter { $0.verdict == .fail }.map(\.name) == ["layer2.bias"])
    }

    @Test func sampleModeIsStratifiedSeededAndCoversSmallBlocks() throws {
        let objective = try Self.ex4(examples: 50)
        let a = check(objective, configuration: CheckConfiguration(mode: .sample(perBlock: 12), seed: 5))
        let b = check(objective, configuration: CheckConfiguration(mode: .sample(perBlock: 12), seed: 5))
        #expect(a.verdict == .pass)
        #expect(a.entries.map(\.index) == b.entries.map(\.index))
        // layer1.weight (25×400) gets 12 entries from 12 strata; layer2.bias (10) all 10.
        let counts = Dictionary(grouping: a.entries, by: \.block).mapValues(\.count)
        #expect(counts == ["layer1.weight": 12, "layer1.bias": 12, "layer2.weight": 12, "layer2.bias": 10])
        let w = a.entries.filter { $0.block == "layer1.weight" }.map(\.index)
        for (s, index) in w.enumerated() { #expect(index >= 10000 * s / 12 && index < 10000 * (s + 1) / 12) }
    }

    @Test func jsonFollowsTheContract() throws {
        let report = check(try BugZoo.Bug.missingOneOverM.objective())
        let data = Data(JSONReport.render(report).utf8)
        let o = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        for key in ["verdict", "value", "blocks", "entries", "diagnosis", "anchors", "evaluations", "seconds"] {
            #expect(o[key] != nil, "missing \(key)")
        }
        #expect(o["verdict"] as? String == "fail")
        let blocks = try #require(o["blocks"] as? [[String: Any]])
        #expect(blocks.count == 4)
        for key in ["name", "shape", "verdict", "maxError", "failing", "diagnosis"] {
            #expect(blocks[0][key] != nil, "block \(key)")
        }
        let entries = try #require(o["entries"] as? [[String: Any]])
        #expect(entries.count == 38)  // full mode lists every entry
        for key in ["block", "index", "analytic", "numeric", "error", "bound", "verdict", "step"] {
            #expect(entries[0][key] != nil, "entry \(key)")
        }
        // index is the row-major position within the block.
        #expect(
            entries.filter { $0["block"] as? String == "layer1.bias" }.map { $0["index"] as? Int } == [0, 1, 2, 3, 4])
        let anchors = try #require(o["anchors"] as? [String: Any])
        #expect(anchors["pytorchAllclose"] as? Bool == false)
        #expect(anchors["ngRelativeDifference"] is Double && anchors["cs231nMaxRelativeError"] is Double)
        let diagnosis = try #require(blocks[2]["diagnosis"] as? [[String: Any]])
        #expect(diagnosis.contains { $0["code"] as? String == "scale" })
    }

    @Test func nonFiniteValuesAndWrongLengthsAreEvaluationErrors() {
        let nanGradient = ClosureObjective(point: [1, 2]) { x in (x[0] * x[1], [x[1], .nan]) }
        let r1 = check(nanGradient)
        #expect(r1.verdict == .error && r1.errorMessage == "the analytic gradient is not finite at entry 1")
        let short = ClosureObjective(point: [1, 2]) { x in (x[0], [1]) }
        #expect(check(short).errorMessage == "the gradient has 1 entries, expected 2")
        let infValue = ClosureObjective(point: [1, 2]) { x in (.infinity, [0, 0]) }
        #expect(check(infValue).verdict == .error)
        // Finite at the point, NaN nearby (log at the edge of its domain): never a pass.
        let edge = ClosureObjective(point: [1e-12]) { x in (Foundation.log(x[0]), [1 / x[0]]) }
        let r4 = check(edge)
        #expect(r4.verdict == .error)
        #expect(
            r4.errorMessage?.contains("perturbed point") == true || r4.errorMessage?.contains("noise") == true,
            "\(r4.errorMessage ?? "")")
        let badStep = check(
            ClosureObjective(point: [1]) { x in (x[0] * x[0], [2 * x[0]]) },
            configuration: CheckConfiguration(step: .fixed(.nan)))
        #expect(badStep.verdict == .error && badStep.errorMessage?.hasPrefix("invalid step") == true)
    }

    /// Heavy noise (5e-5·|f|, below the nondeterminism threshold) on tiny gradients: the bounds
    /// are too wide to decide, and the check says so instead of failing or passing.
    @Test func heavyNoiseIsInconclusiveNotFail() {
        let noise = NoiseSource(seed: 3)
        let objective = ClosureObjective(
            point: [1e-4, -2e-4, 3e-4],
            value: { x in
                (100 + x.map { $0 * $0 }.reduce(0, +)) * (1 + 5e-5 * noise.next())
            }, valueAndGradient: { x in (100 + x.map { $0 * $0 }.reduce(0, +), x.map { 2 * $0 }) })
        let report = check(objective)
        #expect(report.verdict == .inconclusive, "\(report.entries.map { ($0.verdict, $0.bound) })")
        #expect(report.verdict.exitCode == 2)
        #expect(report.diagnosis.contains { $0.code == .noisy })
    }

    @Test func softmaxJacobianCheckPassesAndCatchesTheDiagonalMistake() {
        let z = [0.3, -1.2, 2.0, 0.5]
        let f: @Sendable ([Double]) -> [Double] = { x in
            Softmax<Double>.rows(Tensor(shape: [1, x.count], scalars: x)).scalars
        }
        let good = checkJacobian(at: z, outputs: 4, function: f) { x, v in
            Softmax<Double>.vectorJacobianProduct(
                Tensor(shape: [1, 4], scalars: v), softmax: Tensor(shape: [1, 4], scalars: f(x))
            ).scalars
        }
        #expect(good.passed)
        let bad = checkJacobian(at: z, outputs: 4, function: f) { x, v in
            let s = f(x)
            return (0..<4).map { v[$0] * s[$0] * (1 - s[$0]) }
        }
        #expect(bad.verdict == .fail)
        #expect(bad.diagnosis.contains { $0.code == .softmaxDiagonal })
    }

    @Test func sweepShowsTheVShape() throws {
        let objective = try BugZoo.ex4(lambda: 0)
        let report = check(objective)
        let result = try sweep(objective, coordinates: [0, 20], report: report)
        for curve in result.curves {
            let errors = curve.points.map(\.error)
            let best = errors.indices.min { errors[$0] < errors[$1] }!
            // Large at both ends, small in the middle.
            #expect(best > 2 && best < errors.count - 3)
            #expect(errors.first! > 100 * errors[best] && errors.last! > 100 * errors[best])
            #expect(curve.thirdDerivative > 0)
        }
        let svg = SweepReport.svg(result)
        #expect(svg.hasPrefix("<svg") && svg.contains("truncation") && svg.contains("chosen h"))
    }

    @Test func textAndHTMLReportsCarryTheSameVerdicts() throws {
        let report = check(try BugZoo.Bug.transposedWeightGradient.objective())
        let text = TextReport(title: "t").render(report)
        #expect(text.contains("layer1.weight  [5, 3]        FAIL"))
        #expect(text.contains("transpose:"))
        #expect(text.contains("summary: FAIL — 1 of 4 blocks fail (layer1.weight)"))
        #expect(!text.contains("\u{1B}["))  // no colour unless asked
        #expect(TextReport(color: true).render(report).contains("\u{1B}[31;1m"))
        let html = HTMLReport(title: "t").render(report)
        #expect(html.contains("<svg") && html.contains("layer1.weight — fail"))
    }
}
