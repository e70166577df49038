import _Differentiation
import GradCheck
import GradScopeTesting
import NeuralNet
import TensorCore
import XCTest

/// The XCTest spellings of the helpers (their failing side shares
/// ``GradientExpectation/failureMessage(for:title:allowInconclusive:)`` with the Swift Testing
/// helpers, which the snapshot tests pin).
final class XCTestHelperTests: XCTestCase {
    func testFunctionLayerAndModel() throws {
        XCTAssertGradientsMatch(of: { (x: [Double]) in quarticSumRight(x) }, at: [0.5, -1.5, 2.0])
        var rng = PRNG(seed: 3)
        XCTAssertLayerGradientsMatch(Sigmoid<Double>(), input: .normal(shape: [3, 2], using: &rng))
        let problem: SupervisedProblem<Double> = try Preset.cs231nTwoLayer.problem()
        XCTAssertGradientsMatch(model: problem.model, inputs: problem.inputs, targets: problem.targets)
    }

    func testFailureMessageIsTheTable() {
        let report = check(ClosureObjective(point: [1, 2], valueAndGradient: { x in (x[0] * x[1], [x[1], 0]) }))
        let message = GradientExpectation.failureMessage(for: report, title: "x·y")
        XCTAssertNotNil(message)
        XCTAssertTrue(
            message?.hasPrefix("Gradients of x·y do not match the numerical derivatives.\ngradscope check: x·y")
                == true, message ?? "")
    }
}
