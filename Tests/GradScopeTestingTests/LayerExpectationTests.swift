import GradCheck
import GradScopeTesting
import NeuralNet
import TensorCore
import Testing

struct LayerExpectationTests {
    func dense<S: TensorScalar>(_: S.Type, outputs: Int = 3, inputs: Int = 3, seed: UInt64 = 1) -> Dense<S> {
        var rng = PRNG(seed: seed)
        return Dense(
            weight: .normal(shape: [outputs, inputs], using: &rng), bias: .normal(shape: [outputs], using: &rng))
    }

    func batch<S: TensorScalar>(_: S.Type, _ shape: [Int], seed: UInt64 = 2) -> Tensor<S> {
        var rng = PRNG(seed: seed)
        return .normal(shape: shape, using: &rng)
    }

    @Test(arguments: [Float.self, Double.self] as [any TensorScalar.Type])
    func builtInLayersPass(_ type: any TensorScalar.Type) {
        func run<S: TensorScalar>(_: S.Type) {
            let report = expectLayerGradientsMatch(dense(S.self, outputs: 2), input: batch(S.self, [4, 3]))
            #expect(report.blocks.map(\.name) == ["weight", "bias", "input"])
            expectLayerGradientsMatch(Tanh<S>(), input: batch(S.self, [3, 4]))
            expectLayerGradientsMatch(Softmax<S>(), input: batch(S.self, [2, 5]))
        }
        run(type)
    }

    @Test func transposedWeightGradientIsLocated() throws {
        let layer = BuggyDense(dense(Double.self), mistake: .transposedWeightGradient)
        let log = IssueLog()
        withKnownIssue {
            expectLayerGradientsMatch(layer, input: batch(Double.self, [4, 3]))
        } matching: { issue in
            log.add(issue)
            return true
        }
        let message = try #require(log.all.first?.comment)
        #expect(message.contains("transpose: The analytic gradient of weight matches the numerical one transposed"))
        try Snapshot.expectMatches(message, named: "layer-transposed-weight", numbers: true)
    }

    @Test func overwritingBackwardIsCaught() {
        let report = checkLayer(
            BuggyDense(dense(Double.self), mistake: .overwriteInsteadOfAccumulate), input: batch(Double.self, [4, 3]))
        #expect(report.verdict == .fail)
        #expect(report.blocks.allSatisfy { $0.verdict == .pass })  // the values are right…
        #expect(report.diagnosis.contains { $0.code == .overwritesGradient && $0.block == "weight" })  // …the += is not
    }

    @Test func diagonalOnlySoftmaxFails() {
        let report = checkLayer(SoftmaxDiagonalOnly<Double>(), input: batch(Double.self, [2, 4]))
        #expect(report.verdict == .fail)
        #expect(report.blocks.map(\.name) == ["input"])
    }

    @Test func ex4DebugModelPasses() throws {
        let problem: SupervisedProblem<Double> = try Preset.ex4Debug.problem(ArchitectureSpec(lambda: 3))
        let report = expectGradientsMatch(model: problem.model, inputs: problem.inputs, targets: problem.targets)
        #expect(report?.entries.count == 38)
    }

    @Test func modelWithABuggyLayerFailsInThatLayer() throws {
        let problem: SupervisedProblem<Double> = try Preset.ex4Debug.problem(ArchitectureSpec(lambda: 3))
        var model = problem.model
        model.replaceLayer(1, with: SigmoidDerivativeOnActivation<Double>())
        let log = IssueLog()
        withKnownIssue {
            expectGradientsMatch(model: model, inputs: problem.inputs, targets: problem.targets)
        } matching: { issue in
            log.add(issue)
            return true
        }
        let message = try #require(log.all.first?.comment)
        #expect(message.contains("layer1.weight") && message.contains("FAIL"))
        #expect(message.contains("data-term"))
    }
}
