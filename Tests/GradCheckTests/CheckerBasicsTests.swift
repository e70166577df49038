import Foundation
import Testing
import TensorCore
import NeuralNet
@testable import GradCheck

struct CheckerBasicsTests {
    @Test(arguments: [Float.self, Double.self] as [any TensorScalar.Type])
    func ex4DebugPasses(_ type: any TensorScalar.Type) throws {
        func run<S: TensorScalar>(_: S.Type) throws {
            let problem: SupervisedProblem<S> = try Preset.ex4Debug.problem(ArchitectureSpec(lambda: 3))
            let report = check(try ModelObjective(problem))
            #expect(
                report.verdict == .pass,
                "\(report.blocks.map { ($0.name, $0.verdict, $0.maxError) }) noise \(report.noise)")
            #expect(report.entries.count == 38)
            if S.self == Double.self { #expect(report.anchors.ngRelativeDifference < 1e-9) }
        }
        try run(type)
    }

    @Test func incrementalEvaluationMatchesFullForwardPass() throws {
        for (spec, preset) in [
            (ArchitectureSpec(lambda: 1, examples: 40), Preset.ex4Debug),
            (ArchitectureSpec(examples: 7), Preset.cs231nTwoLayer)
        ] {
            let problem: SupervisedProblem<Double> = try preset.problem(spec)
            let objective = try ModelObjective(problem)
            for i in 0..<objective.point.count {
                let p = Perturbation.coordinate(i, 1e-3)
                let fast = try #require(objective.incremental(i, 1e-3))
                let slow = objective.full(p)
                #expect(abs(fast.value - slow.value) <= 1e-13 * abs(slow.value), "entry \(i)")
                #expect(fast.structure == slow.structure)
            }
        }
    }

    @Test func scaledGradientFailsWithScaleDiagnosis() throws {
        let problem: SupervisedProblem<Double> = try Preset.ex4Debug.problem(ArchitectureSpec(lambda: 0))
        let objective = try ModelObjective(problem)
        let bad = ClosureObjective(
            point: objective.point, blocks: objective.blocks, exampleCount: 5,
            value: { try! problem.cost(at: $0).value },
            valueAndGradient: { x in
                var (v, g) = try! problem.cost(at: x)
                for i in 15..<20 { g[i] *= 5 }  // layer1.bias ×m
                return (v, g)
            })
        let report = check(bad)
        #expect(report.verdict == .fail)
        let bias = try #require(report.blocks.first { $0.name == "layer1.bias" })
        #expect(bias.verdict == .fail)
        #expect(
            bias.diagnosis.contains { $0.code == .scale && $0.message.contains("missing 1/m") }, "\(bias.diagnosis)")
        #expect(report.blocks.filter { $0.verdict == .fail }.count == 1)
    }
}
