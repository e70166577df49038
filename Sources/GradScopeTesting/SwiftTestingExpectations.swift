import _Differentiation
import DifferentiableCheck
import GradCheck
import NeuralNet
import Testing
import TensorCore

/// Expects the gradient Swift computes for `f` at `x` to match calibrated numerical
/// derivatives; on failure records one issue whose text is the per-block table (see
/// ``GradientExpectation``) at the caller's source location.
///
/// ```swift
/// @Test func logSumExpDerivative() {
///     expectGradientsMatch(of: { (x: [Double]) in logSumExp(x) }, at: [0.3, -1.2, 2.0])
/// }
/// ```
///
/// - Returns: the report, for further expectations (`#expect(report.blocks[0].maxError < 1e-9)`).
@discardableResult
public func expectGradientsMatch<T: CheckableDifferentiable, R: CheckableScalar>(
    of f: @escaping @Sendable @differentiable(reverse) (T) -> R, at x: T, name: String? = nil,
    configuration: CheckConfiguration = CheckConfiguration(), allowInconclusive: Bool = false,
    sourceLocation: SourceLocation = #_sourceLocation
) -> GradientReport {
    let report = checkGradient(of: f, at: x, name: name, configuration: configuration)
    expectPasses(report, allowInconclusive: allowInconclusive, sourceLocation: sourceLocation)
    return report
}

/// Expects the Jacobian Swift computes for a vector-valued `f` at `x` (row k by the pullback
/// of eₖ) to match numerical derivatives.
@discardableResult
public func expectJacobianMatches<T: CheckableDifferentiable, U: CheckableDifferentiable>(
    of f: @escaping @Sendable @differentiable(reverse) (T) -> U, at x: T, name: String? = nil,
    configuration: CheckConfiguration = CheckConfiguration(), allowInconclusive: Bool = false,
    sourceLocation: SourceLocation = #_sourceLocation
) -> JacobianReport {
    let report = checkJacobian(of: f, at: x, name: name, configuration: configuration)
    if let message = GradientExpectation.failureMessage(for: report, allowInconclusive: allowInconclusive) {
        recordFailure(message, sourceLocation: sourceLocation)
    }
    return report
}

/// Expects any objective's analytic gradient (a `ClosureObjective` over your own
/// cost function, a `ModelObjective`) to match numerical derivatives.
@discardableResult
public func expectGradientsMatch(
    _ objective: some GradientObjective, title: String = "",
    configuration: CheckConfiguration = CheckConfiguration(), allowInconclusive: Bool = false,
    sourceLocation: SourceLocation = #_sourceLocation
) -> GradientReport {
    let report = check(objective, configuration: configuration)
    expectPasses(report, title: title, allowInconclusive: allowInconclusive, sourceLocation: sourceLocation)
    return report
}

/// Expects a layer's backward pass to match numerical derivatives for a random cotangent, and
/// to accumulate into its parameter gradients (see ``checkLayer(_:input:mode:seed:configuration:)``).
///
/// ```swift
/// @Test func swishBackward() {
///     var rng = PRNG(seed: 1)
///     expectLayerGradientsMatch(Swish<Double>(features: 4), input: .normal(shape: [3, 4], using: &rng))
/// }
/// ```
@discardableResult
public func expectLayerGradientsMatch<L: Layer>(
    _ layer: L, input: Tensor<L.Scalar>, mode: ExecutionMode = .evaluation, seed: UInt64 = 0,
    configuration: CheckConfiguration? = nil, allowInconclusive: Bool = false,
    sourceLocation: SourceLocation = #_sourceLocation
) -> GradientReport {
    let report = checkLayer(layer, input: input, mode: mode, seed: seed, configuration: configuration)
    expectPasses(
        report, title: "\(layer.kind) layer", allowInconclusive: allowInconclusive, sourceLocation: sourceLocation)
    return report
}

/// Expects a model's backpropagated gradient (every parameter block, loss and L2 term) on a
/// batch to match numerical derivatives. When it fails with regularisation on, the model is
/// checked again at λ = 0 to say whether the data term or the regulariser is wrong.
///
/// Models over 4,000 parameters are checked on a stratified sample of 64 entries per block
/// unless `configuration` says otherwise.
@discardableResult
public func expectGradientsMatch<S: TensorScalar>(
    model: Sequential<S>, inputs: Tensor<S>, targets: Targets<S>,
    configuration: CheckConfiguration? = nil, allowInconclusive: Bool = false,
    sourceLocation: SourceLocation = #_sourceLocation
) -> GradientReport? {
    switch modelReport(model: model, inputs: inputs, targets: targets, configuration: configuration) {
    case .success(let report):
        expectPasses(report, title: "model", allowInconclusive: allowInconclusive, sourceLocation: sourceLocation)
        return report
    case .failure(let error):
        recordFailure("The model could not be checked: \(error.description)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Expects a report to pass; records the per-block table otherwise. `#expect(report.passed)`
/// works too, with a shorter message.
public func expectPasses(
    _ report: GradientReport, title: String = "", allowInconclusive: Bool = false,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    if let message = GradientExpectation.failureMessage(for: report, title: title, allowInconclusive: allowInconclusive)
    {
        recordFailure(message, sourceLocation: sourceLocation)
    }
}

/// The model check shared by the Swift Testing and XCTest helpers.
func modelReport<S: TensorScalar>(
    model: Sequential<S>, inputs: Tensor<S>, targets: Targets<S>,
    configuration: CheckConfiguration?
) -> Result<GradientReport, EvaluationError> {
    do {
        let objective = try ModelObjective(
            SupervisedProblem(name: "model", model: model, inputs: inputs, targets: targets))
        var c = configuration ?? CheckConfiguration()
        if configuration == nil, objective.point.count > 4000 { c.mode = .sample(perBlock: 64) }
        return .success(checkSeparatingRegularization(objective, configuration: c))
    } catch {
        return .failure(error)
    }
}
