import Foundation
import GradCheck
import NeuralNet
import TensorCore
import Testing

/// Every code the diagnosis reports for a built-in mistake is true of that mistake: per block,
/// the exact set of codes (the right one present and no other), and at the model level the
/// exact set. The truth for each mistake, from what the mistake is (BugZoo.Bug.summary):
///
/// - a regularisation term on one side only: `regularisation` on each bias it touches, and
///   `bias-only` (the weights of the layer pass); nothing inherits it, so no `first-failing-block`.
/// - missing 1/m, an output delta with its sign flipped: one factor (m, −1) on every block,
///   said once for the model; a bias among them is not `bias-only`.
/// - known layer mistakes (σ′ on the activation, softmax diagonal, unflipped kernel, max-pool
///   routing, a reused parameter not accumulated): the mistake's own code, on each failing
///   block and once for the model, and no block-level pattern that the exact hypothesis
///   already explains away; no `bias-only` (the layer's weights fail too).
/// - a transposed weight gradient: `transpose` on that block alone.
/// - one entry off by 1e-4: `single-entry`, not `regularisation`.
/// - a bias gradient taken as a mean: `scale` (1/m) and `bias-only` (that layer's weights pass).
/// - dropout left on: `nondeterministic` for the model.
struct DiagnosisPrecisionTests {
    typealias Codes = [String: Set<CheckFinding.Code>]

    static let truth: [BugZoo.Bug: (blocks: Codes, model: Set<CheckFinding.Code>)] = [
        .biasRegularizedInGradient: (
            ["layer1.bias": [.regularization, .biasOnly], "layer2.bias": [.regularization, .biasOnly]],
            [.regularizationTerm]
        ),
        .biasRegularizedInCost: (
            ["layer1.bias": [.regularization, .biasOnly], "layer2.bias": [.regularization, .biasOnly]],
            [.regularizationTerm]
        ),
        .biasColumnRegularizedTwice: (
            ["layer1.bias": [.regularization, .biasOnly], "layer2.bias": [.regularization, .biasOnly]],
            [.regularizationTerm]
        ),
        .missingOneOverM: (
            ["layer1.weight": [.scale], "layer1.bias": [.scale], "layer2.weight": [.scale], "layer2.bias": [.scale]],
            [.scale]
        ),
        .regularizerGradientTwice: (
            ["layer1.weight": [.regularization], "layer2.weight": [.regularization]], [.regularizationTerm]
        ),
        .sigmoidDerivativeOnActivation: (
            [
                "layer1.weight": [.sigmoidDerivativeOnActivation],
                "layer1.bias": [.sigmoidDerivativeOnActivation]
            ],
            [.sigmoidDerivativeOnActivation]
        ),
        .outputDeltaSign: (
            ["layer1.weight": [.sign], "layer1.bias": [.sign], "layer2.weight": [.sign], "layer2.bias": [.sign]],
            [.sign]
        ),
        .transposedWeightGradient: (["layer1.weight": [.transpose]], []),
        .softmaxDiagonal: (
            [
                "layer1.weight": [.softmaxDiagonal], "layer1.bias": [.softmaxDiagonal],
                "layer2.weight": [.softmaxDiagonal], "layer2.bias": [.softmaxDiagonal]
            ],
            [.softmaxDiagonal]
        ),
        .reusedParameterNotAccumulated: (
            [
                "layer1.weight": [.reusedParameterNotAccumulated],
                "layer1.bias": [.reusedParameterNotAccumulated]
            ],
            [.reusedParameterNotAccumulated]
        ),
        .convKernelNotFlipped: (
            ["layer1.kernel": [.convKernelNotFlipped], "layer1.bias": [.convKernelNotFlipped]], [.convKernelNotFlipped]
        ),
        .oneEntryOff: (["layer1.weight": [.singleEntry]], []),
        .dropoutLeftOn: ([:], [.nondeterministic]),
        .maxPoolWrongRouting: (
            ["layer1.kernel": [.maxPoolWrongRouting], "layer1.bias": [.maxPoolWrongRouting]], [.maxPoolWrongRouting]
        ),
        .biasMeanInsteadOfSum: (["layer2.bias": [.scale, .biasOnly]], [])
    ]

    /// The codes a report gives, per block (blocks without findings left out) and for the model.
    static func codes(_ report: GradientReport) -> (blocks: Codes, model: Set<CheckFinding.Code>) {
        var blocks = Codes()
        for b in report.blocks where !b.diagnosis.isEmpty { blocks[b.name] = Set(b.diagnosis.map(\.code)) }
        return (blocks, Set(report.diagnosis.map(\.code)))
    }

    @Test(arguments: BugZoo.Bug.allCases)
    func onlyTrueCodes(_ bug: BugZoo.Bug) throws {
        let report = checkSeparatingRegularization(try bug.objective())
        let text = TextReport(title: bug.rawValue).render(report)
        let truth = try #require(Self.truth[bug])
        let got = Self.codes(report)
        #expect(got.blocks == truth.blocks, "\(bug.rawValue) blocks\n\(text)")
        #expect(got.model == truth.model, "\(bug.rawValue) model\n\(text)")
    }

    /// Codes right over codes reported, across the built-in mistakes (the closing note's figure).
    @Test func precisionOverTheZoo() throws {
        var right = 0, reported = 0, expected = 0
        for bug in BugZoo.Bug.allCases {
            let got = Self.codes(checkSeparatingRegularization(try bug.objective()))
            let truth = try #require(Self.truth[bug])
            for (block, codes) in got.blocks {
                reported += codes.count
                right += codes.intersection(truth.blocks[block] ?? []).count
            }
            reported += got.model.count
            right += got.model.intersection(truth.model).count
            expected += truth.blocks.values.map(\.count).reduce(0, +) + truth.model.count
        }
        #expect(right == reported && right == expected, "\(right) right of \(reported) reported, \(expected) expected")
    }
}
