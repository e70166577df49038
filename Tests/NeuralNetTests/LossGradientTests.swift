import Testing
import TensorCore
@testable import NeuralNet

/// Every loss against central differences, with class-index and one-hot labels.
struct LossGradientTests {
    static func check(_ loss: any Loss<Double>, output: Tensor<Double>, targets: Targets<Double>) -> Double {
        let (_, analytic) = loss.evaluate(output, targets: targets)
        let numeric = centralDifferences(at: output.scalars) {
            loss.evaluate(Tensor(shape: output.shape, scalars: $0), targets: targets).value
        }
        return maxRelativeError(analytic.scalars, numeric)
    }

    static let labels = [2, 0, 1, 1]

    @Test(arguments: ["softmax-ce", "ovr-ce", "mse"], [false, true])
    func onLogits(kind: String, oneHot: Bool) {
        var rng = PRNG(seed: 1)
        let z = Tensor<Double>.uniform(shape: [4, 3], low: -4, high: 4, using: &rng)
        let targets: Targets<Double> =
            oneHot ? .dense(Targets.classes(Self.labels).dense(classes: 3)) : .classes(Self.labels)
        let loss: any Loss<Double> = LossKind(rawValue: kind)!.loss()
        #expect(Self.check(loss, output: z, targets: targets) < 1e-7)
    }

    @Test(arguments: [false, true])
    func crossEntropyOnProbabilities(oneHot: Bool) {
        var rng = PRNG(seed: 2)
        let p = Softmax<Double>.rows(.uniform(shape: [4, 3], low: -2, high: 2, using: &rng))
        let targets: Targets<Double> =
            oneHot ? .dense(Targets.classes(Self.labels).dense(classes: 3)) : .classes(Self.labels)
        #expect(Self.check(CrossEntropy<Double>(), output: p, targets: targets) < 1e-7)
    }

    @Test func classIndicesAndOneHotGiveTheSameValues() {
        var rng = PRNG(seed: 3)
        let z = Tensor<Double>.uniform(shape: [4, 3], low: -2, high: 2, using: &rng)
        for kind in LossKind.allCases {
            let loss: any Loss<Double> = kind.loss()
            let output = kind == .ce ? Softmax<Double>.rows(z) : z  // ce takes probabilities
            let a = loss.evaluate(output, targets: .classes(Self.labels))
            let b = loss.evaluate(output, targets: .dense(Targets.classes(Self.labels).dense(classes: 3)))
            #expect(a.value.isFinite)
            #expect(a.value == b.value, "\(kind) \(a.value) \(b.value)")
            #expect(a.gradient == b.gradient, "\(kind)")
        }
    }

    @Test func softmaxCrossEntropyValueByHand() {
        // z = [0, ln 2, ln 3] → softmax = [1/6, 2/6, 3/6]; label 2 → −ln(1/2).
        let z = Tensor<Double>(shape: [1, 3], scalars: [0, Double.log(2), Double.log(3)])
        let (value, grad) = SoftmaxCrossEntropy<Double>().evaluate(z, targets: .classes([2]))
        #expect(abs(value - Double.log(2)) < 1e-15)
        #expect(maxRelativeError(grad.scalars, [1.0 / 6, 2.0 / 6, -0.5]) < 1e-15)
    }

    @Test func stableForExtremeLogits() {
        let z = Tensor<Double>(shape: [2, 3], scalars: [1000, -1000, 0, -1000, 1000, 999])
        for kind in [LossKind.softmaxCE, .ovrCE] {
            let (value, grad) = (kind.loss() as any Loss<Double>).evaluate(z, targets: .classes([0, 2]))
            #expect(value.isFinite && grad.isFinite, "\(kind)")
        }
        let float = Tensor<Float>(shape: [1, 2], scalars: [1000, -1000])
        #expect(SoftmaxCrossEntropy<Float>().evaluate(float, targets: .classes([1])).value == 2000)
    }
}
