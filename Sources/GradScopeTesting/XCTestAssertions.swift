import _Differentiation
import DifferentiableCheck
import GradCheck
import NeuralNet
import TensorCore
import XCTest

// The same checks as the Swift Testing helpers, reported with XCTFail at the caller's file and
// line.

/// Asserts that the gradient Swift computes for `f` at `x` matches numerical derivatives.
@discardableResult
public func XCTAssertGradientsMatch<T: CheckableDifferentiable, R: CheckableScalar>(
    of f: @escaping @Sendable @differentiable(reverse) (T) -> R, at x: T, name: String? = nil,
    configuration: CheckConfiguration = CheckConfiguration(), allowInconclusive: Bool = false,
    file: StaticString = #filePath, line: UInt = #line
) -> GradientReport {
    let report = checkGradient(of: f, at: x, name: name, configuration: configuration)
    XCTAssertPasses(report, allowInconclusive: allowInconclusive, file: file, line: line)
    return report
}

/// Asserts that a layer's backward pass matches numerical derivatives and accumulates.
@discardableResult
public func XCTAssertLayerGradientsMatch<L: Layer>(
    _ layer: L, input: Tensor<L.Scalar>, mode: ExecutionMode = .evaluation, seed: UInt64 = 0,
    configuration: CheckConfiguration? = nil, allowInconclusive: Bool = false,
    file: StaticString = #filePath, line: UInt = #line
) -> GradientReport {
    let report = checkLayer(layer, input: input, mode: mode, seed: seed, configuration: configuration)
    XCTAssertPasses(report, title: "\(layer.kind) layer", allowInconclusive: allowInconclusive, file: file, line: line)
    return report
}

/// Asserts that a model's backpropagated gradient on a batch matches numerical derivatives.
@discardableResult
public func XCTAssertGradientsMatch<S: TensorScalar>(
    model: Sequential<S>, inputs: Tensor<S>, targets: Targets<S>,
    configuration: CheckConfiguration? = nil, allowInconclusive: Bool = false,
    file: StaticString = #filePath, line: UInt = #line
) -> GradientReport? {
    switch modelReport(model: model, inputs: inputs, targets: targets, configuration: configuration) {
    case .success(let report):
        XCTAssertPasses(report, title: "model", allowInconclusive: allowInconclusive, file: file, line: line)
        return report
    case .failure(let error):
        XCTFail("The model could not be checked: \(error.description)", file: file, line: line)
        return nil
    }
}

/// Asserts that a report passed; fails with the per-block table otherwise.
public func XCTAssertPasses(
    _ report: GradientReport, title: String = "", allowInconclusive: Bool = false,
    file: StaticString = #filePath, line: UInt = #line
) {
    if let message = GradientExpectation.failureMessage(for: report, title: title, allowInconclusive: allowInconclusive)
    {
        XCTFail(message, file: file, line: line)
    }
}
