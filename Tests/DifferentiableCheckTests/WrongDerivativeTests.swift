import _Differentiation
import DifferentiableCheck
import GradCheck
import Testing

/// Deliberately wrong `@derivative(of:)` registrations fail, in the right block, with the
/// right diagnosis.
struct WrongDerivativeTests {
    func codes(_ report: GradientReport, block: String) -> [String] {
        report.blocks.first { $0.name == block }?.diagnosis.map(\.code.rawValue) ?? []
    }

    @Test func signSlip() {
        let report = checkGradient(of: { (x: [Double]) in sumOfCubes(x) }, at: [0.5, -1.5, 2.0, 1.0])
        #expect(report.verdict == .fail)
        #expect(codes(report, block: "x").contains("sign"), "\(TextReport().render(report))")
    }

    @Test func factorTwo() {
        let report = checkGradient(of: { (x: [Double]) in halfSquaredNorm(x) }, at: [0.5, -1.5, 2.0])
        #expect(report.verdict == .fail)
        let scale = report.blocks[0].diagnosis.first { $0.code == .scale }
        #expect(scale?.message.contains("factor 2") == true, "\(TextReport().render(report))")
    }

    @Test func missingBiasTerm() {
        let report = checkGradient(of: squaredErrorMissingBias, at: Affine(outputs: 2, inputs: 3))
        #expect(report.verdict == .fail)
        #expect(report.blocks.map(\.verdict) == [.pass, .fail], "\(TextReport().render(report))")
        #expect(codes(report, block: "bias").contains("zero-gradient"))
        // One failing block: nothing comes before it to inherit anything (issue #12).
        #expect(!report.diagnosis.contains { $0.code == .firstFailingBlock })
    }

    @Test func transposedWeightGradient() {
        let report = checkGradient(of: squaredErrorTransposed, at: Affine(outputs: 3, inputs: 3))
        #expect(report.verdict == .fail)
        #expect(report.blocks.map(\.verdict) == [.fail, .pass], "\(TextReport().render(report))")
        #expect(codes(report, block: "weight").contains("transpose"))
    }

    @Test func softmaxDiagonalOnlyPullback() {
        let report = checkJacobian(of: softmaxDiagonal, at: [0.5, -0.3, 1.2])
        #expect(report.verdict == .fail)
        #expect(report.diagnosis.contains { $0.code == .softmaxDiagonal })
    }
}
