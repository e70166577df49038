import NeuralNet
import TensorCore

extension ModelObjective: DiagnosableObjective {
    public func hypotheses() -> [GradientHypothesis] {
        BugZoo.hypotheses(for: self)
    }

    public var regularization: (lambda: Double, examples: Int, coveredBlocks: [Int])? {
        let r = problem.model.regularization
        guard r.lambda > 0 else { return nil }
        let covered = problem.model.parameterBlocks.indices.filter { r.covers(problem.model.parameterBlocks[$0].role) }
        return (r.lambda, problem.inputs.shape[0], covered)
    }

    public func withoutRegularization() -> ModelObjective? {
        var p = problem
        p.model.regularization.lambda = 0
        return try? ModelObjective(p, mode: mode)
    }
}

/// Checks a diagnosable objective, and when it fails with an L2 term, checks again at λ = 0 to
/// say whether the mismatch lives in the data term or in the regularisation term (cs231n's
/// advice, automated).
public func checkSeparatingRegularization<O: DiagnosableObjective>(
    _ objective: O, configuration: CheckConfiguration = CheckConfiguration()
) -> GradientReport {
    var report = check(objective, configuration: configuration)
    guard report.verdict == .fail, let reg = objective.regularization, reg.lambda > 0,
        let plain = objective.withoutRegularization()
    else { return report }
    var quiet = configuration
    quiet.progress = nil
    quiet.diagnose = false
    if case .full = configuration.mode, objective.point.count > 4000 { quiet.mode = .sample(perBlock: 64) }
    let second = check(plain, configuration: quiet)
    report.evaluations += second.evaluations
    report.seconds += second.seconds
    switch second.verdict {
    case .pass:
        report.diagnosis.append(
            CheckFinding(
                code: .regularizationTerm,
                message:
                    "At λ = 0 the gradient passes: the mismatch lives in the regularisation term (λ = \(shortNumber(reg.lambda)))."
            ))
    case .fail:
        report.diagnosis.append(
            CheckFinding(
                code: .dataTerm,
                message: "At λ = 0 the gradient still fails: the mismatch lives in the data term, not the regulariser.")
        )
    default:
        break
    }
    return report
}
