import _Differentiation
import CustomLayer
import GradScopeTesting
import Testing

struct LogSumExpTests {
    /// The registered derivative of logSumExp, and the compiler's derivative of softmaxNLL
    /// built on it.
    @Test func registeredDerivativeMatches() {
        expectGradientsMatch(of: { (x: [Double]) in logSumExp(x) }, at: [0.3, -1.2, 2.0, 0.0])
        // Two arguments: bundle the differentiable one, keep the label out of the closure's
        // parameters (a differentiable closure of two parameters through a generic function
        // crashes this compiler).
        expectGradientsMatch(of: { (z: [Double]) in softmaxNLL(z, label: 2) }, at: [0.3, -1.2, 2.0, 0.0], name: "logits")
    }

    /// Large logits: the stable form keeps value and derivative finite.
    @Test func largeLogits() {
        let report = expectGradientsMatch(of: { (x: [Double]) in logSumExp(x) }, at: [800, 801, 799])
        #expect(report.value > 801)
    }
}
