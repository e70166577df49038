import _Differentiation
import Foundation
import GradScopeTesting
import Testing

// Deliberately wrong versions, to show what a failure looks like and that it is located.

/// Swish whose backward forgets the product rule: ∂y/∂x = s, dropping β·x·s(1 − s).
struct SwishWithoutProductRule: Layer {
    var beta = Tensor<Double>([0.5, 1.0, -0.75, 2.0])
    var kind: String { "swish" }
    var parameterSlots: [ParameterSlot] { [ParameterSlot(name: "beta", shape: [4], role: .weight)] }
    var parameters: [Tensor<Double>] {
        get { [beta] }
        set { beta = newValue[0] }
    }
    func outputShape(forInput s: [Int]) -> Result<[Int], ShapeMismatch> { .success(s) }
    func forward(_ input: Tensor<Double>, context: inout ForwardContext) -> LayerTape<Double> {
        var y = input
        for k in input.scalars.indices {
            let x = input.scalars[k], b = beta.scalars[k % 4]
            y[flat: k] = x * Double.sigmoid(b * x)
        }
        return LayerTape(input: input, output: y)
    }
    func backward(_ g: Tensor<Double>, tape: LayerTape<Double>, parameterGradients: inout [Tensor<Double>]) -> Tensor<Double> {
        var dx = g
        for k in g.scalars.indices {
            let x = tape.input.scalars[k], b = beta.scalars[k % 4]
            let s = Double.sigmoid(b * x)
            dx[flat: k] = g.scalars[k] * s                        // wrong: + b·x·s(1 − s) missing
            parameterGradients[0][flat: k % 4] += g.scalars[k] * x * x * s * (1 - s)
        }
        return dx
    }
}

/// log Σ exp(xᵢ) with a registered derivative that forgets to normalise: exp(xᵢ) instead of
/// exp(xᵢ)/Σⱼ exp(xⱼ).
func logSumExpUnnormalised(_ x: [Double]) -> Double { log(x.reduce(0) { $0 + exp($1) }) }
@derivative(of: logSumExpUnnormalised)
func logSumExpUnnormalisedVJP(_ x: [Double]) -> (value: Double, pullback: (Double) -> [Double].TangentVector) {
    (logSumExpUnnormalised(x), { v in .init(x.map { v * exp($0) }) })   // wrong: no division by Σ exp
}

struct WrongVersionTests {
    @Test func swishWithoutProductRuleFailsInItsInputGradient() throws {
        var rng = PRNG(seed: 7)
        let input = Tensor<Double>.normal(shape: [5, 4], using: &rng)
        let report = checkLayer(SwishWithoutProductRule(), input: input)
        withKnownIssue("the backward pass is wrong on purpose") {
            expectPasses(report)   // what expectLayerGradientsMatch(_:input:) records
        }
        let message = try #require(GradientExpectation.failureMessage(for: report))
        // beta's gradient is right; the input's is not.
        #expect(message.contains("beta   [4]           PASS"), "\(message)")
        #expect(message.contains("input  [5, 4]        FAIL"), "\(message)")
        #expect(message.contains("error law: every failing entry's gap stays the same"), "\(message)")
        #expect(!message.contains("first-failing-block"), "one failing block: nothing comes before it")
    }

    @Test func unnormalisedLogSumExpIsAScaleError() {
        let x = [0.3, -1.2, 2.0]
        let report = checkGradient(of: { (x: [Double]) in logSumExpUnnormalised(x) }, at: x)
        #expect(report.verdict == .fail)
        // Every entry is off by the same factor Σ exp(xⱼ): the diagnosis names it.
        let total = x.reduce(0) { $0 + exp($1) }
        let scale = report.blocks[0].diagnosis.first { $0.code == .scale }
        #expect(scale?.message.contains(shortNumber(total)) == true, "\(TextReport().render(report))")
    }
}
