import Foundation
import Testing
import TensorCore
@testable import NeuralNet

/// ex4-debug against golden values produced independently by a numpy port of Ng's
/// nnCostFunction (Tests/Fixtures/ex4/make_ex4_debug_golden.py; output committed beside it).
struct Ex4GoldenTests {
    struct Case: Decodable {
        var fill: String, `init`: String, lambda: Double
        var X: [[Double]], y: [Int], Theta1: [[Double]], Theta2: [[Double]]
        var J: Double, Theta1_grad: [[Double]], Theta2_grad: [[Double]]
    }
    struct File: Decodable { var cases: [Case] }

    static let cases: [Case] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Fixtures/ex4/ex4_debug_golden.json")
        return try! JSONDecoder().decode(File.self, from: Data(contentsOf: url)).cases
    }()

    @Test(arguments: Ex4GoldenTests.cases.indices)
    func costAndGradientMatchGolden(_ index: Int) throws {
        let golden = Self.cases[index]
        let spec = ArchitectureSpec(
            lambda: golden.lambda,
            initializer: Initializer(rawValue: golden.`init` == "ex4-debug" ? "debug" : golden.`init`)!)
        let problem: SupervisedProblem<Double> = try Preset.ex4Debug.problem(spec)
        // The preset builds the same X, y and Θ as the exercise.
        #expect(problem.inputs.scalars == golden.X.flatMap { $0 })
        #expect(problem.targets == .classes(golden.y.map { $0 - 1 }))
        let dense1 = try #require(problem.model.layers[0] as? Dense<Double>)
        let dense2 = try #require(problem.model.layers[2] as? Dense<Double>)
        #expect(dense1.theta.scalars == golden.Theta1.flatMap { $0 })
        #expect(dense2.theta.scalars == golden.Theta2.flatMap { $0 })

        var context = ForwardContext()
        let e = try problem.model.evaluate(inputs: problem.inputs, targets: problem.targets, context: &context)
        #expect(abs(e.value - golden.J) <= 1e-14 * golden.J, "J \(e.value) vs \(golden.J)")
        let grad1 = Dense<Double>.theta(weight: e.gradients[0], bias: e.gradients[1])
        let grad2 = Dense<Double>.theta(weight: e.gradients[2], bias: e.gradients[3])
        #expect(maxRelativeError(grad1.scalars, golden.Theta1_grad.flatMap { $0 }) < 1e-13)
        #expect(maxRelativeError(grad2.scalars, golden.Theta2_grad.flatMap { $0 }) < 1e-13)
    }

    /// ex4's own criterion: ‖n − a‖/‖n + a‖ < 1e-9 with ε = 1e-4 central differences.
    @Test(arguments: [0.0, 3.0])
    func analyticGradientPassesEx4sCriterion(lambda: Double) throws {
        let problem: SupervisedProblem<Double> = try Preset.ex4Debug.problem(ArchitectureSpec(lambda: lambda))
        let theta = problem.point
        let analytic = try problem.cost(at: theta).gradient
        let numeric = centralDifferences(at: theta, step: 1e-4) { try! problem.cost(at: $0).value }
        let diff = zip(numeric, analytic).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
        let sum = zip(numeric, analytic).map { ($0 + $1) * ($0 + $1) }.reduce(0, +).squareRoot()
        #expect(diff / sum < 1e-9, "relative difference \(diff / sum)")
    }
}
