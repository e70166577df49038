import _Differentiation
import DifferentiableCheck
import Foundation
import GradCheck
import Testing

/// Derivatives Swift gets right pass, in every supported argument type.
struct CorrectDerivativeTests {
    @Test func sinOfDouble() {
        let report = checkGradient(of: { (x: Double) in sin(x) }, at: 0.7)
        #expect(report.passed, "\(TextReport().render(report))")
        #expect(report.blocks.map(\.name) == ["x"])
        #expect(abs(report.entries[0].analytic - cos(0.7)) < 1e-15)
    }

    @Test func expOfFloat() {
        let report = checkGradient(of: { (x: Float) in exp(x) * x }, at: 0.3)
        #expect(report.passed, "\(TextReport().render(report))")
        #expect(report.precision == .float32)
    }

    @Test func simdVector() {
        let report = checkGradient(
            of: { (v: SIMD4<Double>) in (v * v * v).sum() }, at: SIMD4(0.5, -1, 2, 0.25), name: "v")
        #expect(report.passed, "\(TextReport().render(report))")
        #expect(report.blocks.map(\.name) == ["v"] && report.blocks[0].shape == [4])
    }

    @Test func registeredLogSumExp() {
        let report = checkGradient(of: { (x: [Double]) in logSumExp(x) }, at: [0.3, -1.2, 2.0, 0.0])
        #expect(report.passed, "\(TextReport().render(report))")
    }

    @Test func mlpThroughLoops() {
        let report = checkGradient(of: tinyMLPLoss, at: TinyMLP(), name: "net")
        #expect(report.passed, "\(TextReport().render(report))")
        #expect(report.blocks.map(\.name) == ["net.w1", "net.b1", "net.w2", "net.b2"])
        #expect(report.blocks.map(\.shape) == [[4, 3], [4], [2, 4], [2]])
        #expect(report.entries.count == 26)
    }

    @Test func affineWithRegisteredDerivative() {
        let report = checkGradient(of: squaredError, at: Affine(outputs: 2, inputs: 3))
        #expect(report.passed, "\(TextReport().render(report))")
        #expect(report.blocks.map(\.name) == ["weight", "bias"])
    }

    @Test func softmaxJacobian() {
        let report = checkJacobian(of: softmax, at: [0.5, -0.3, 1.2])
        #expect(report.passed, "\(report.rows.map { TextReport().render($0) }.joined())")
        #expect(report.rows.count == 3)
        #expect(report.rows[0].blocks.map(\.name) == ["∂F0/∂x"])
    }

    @Test func functionThatIgnoresItsArgument() {
        // The compiler's zero tangent for an array is empty; it must flatten to zeros. A
        // constant's derivative is 0 against 0 within every bound: the cost does not depend on
        // x, which passes and says so (issue #12; it was inconclusive, and failed CI).
        let report = checkGradient(of: { (x: [Double]) in Double(withoutDerivative(at: x.count)) }, at: [1.0, 2.0])
        #expect(report.entries.map(\.analytic) == [0, 0])
        #expect(report.verdict == .pass)
        #expect(report.blocks[0].diagnosis.map(\.code) == [.noEffect])
    }

    @Test func withoutDerivativeHidingADependenceIsCaught() {
        // withoutDerivative(at:) on a value that does depend on x: the compiler's gradient
        // silently drops that path; the numerical one does not.
        let report = checkGradient(of: { (x: [Double]) in withoutDerivative(at: x[0]) * x[1] }, at: [1.5, 2.0])
        #expect(report.verdict == .fail)
        #expect(report.blocks[0].diagnosis.contains { $0.code == .zeroGradient })
        #expect(report.blocks[0].diagnosis.contains { $0.code == .singleEntry && $0.message.contains("[0]") })
    }
}
