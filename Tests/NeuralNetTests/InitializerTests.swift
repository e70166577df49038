import Testing
import TensorCore
@testable import NeuralNet

struct InitializerTests {
    @Test func debugMatrixFillsColumnByColumnLikeOctave() {
        let t: Tensor<Double> = Initializer.debugMatrix(rows: 2, columns: 3)
        // Octave: reshape(sin(1:6), 2, 3) / 10 = [sin1 sin3 sin5; sin2 sin4 sin6] / 10.
        let expected = [1, 3, 5, 2, 4, 6].map { Double.sin(Double($0)) / 10 }
        #expect(t.scalars == expected)
        let r: Tensor<Double> = Initializer.debugMatrix(rows: 2, columns: 3, columnMajor: false)
        #expect(r.scalars == (1...6).map { Double.sin(Double($0)) / 10 })
    }

    @Test(arguments: [Initializer.ex4, .xavierUniform, .xavierNormal, .he])
    func randomSchemesHaveTheirScaleAndAreSeeded(_ scheme: Initializer) throws {
        let spec = ArchitectureSpec(layers: [300, 200, 10], initializer: scheme, seed: 1)
        let a: Sequential<Double> = try spec.makeModel(sizes: [300, 200, 10])
        let b: Sequential<Double> = try spec.makeModel(sizes: [300, 200, 10])
        #expect(a.flatParameters == b.flatParameters)
        let w = a.parameters[0].scalars
        let sd = (w.map { $0 * $0 }.reduce(0, +) / Double(w.count)).squareRoot()
        let expected: Double =
            switch scheme {
            case .ex4: (6.0 / 500).squareRoot() / 3.0.squareRoot()  // U(−ε, ε) has sd ε/√3
            case .xavierUniform: (6.0 / 500).squareRoot() / 3.0.squareRoot()
            case .xavierNormal: (2.0 / 500).squareRoot()
            default: (2.0 / 300).squareRoot()
            }
        #expect(abs(sd / expected - 1) < 0.02, "sd \(sd), expected \(expected)")
        if scheme != .ex4 { #expect(a.parameters[1].scalars.allSatisfy { $0 == 0 }) }
    }

    @Test func presetsBuild() throws {
        let ex4: SupervisedProblem<Double> = try Preset.ex4.problem(ArchitectureSpec(examples: 50))
        #expect(ex4.model.parameterCount == 10285)
        #expect(ex4.model.regularization.lambda == 1)
        let cs: SupervisedProblem<Float> = try Preset.cs231nTwoLayer.problem()
        #expect(cs.model.parameterBlocks.map(\.shape) == [[10, 4], [10], [3, 10], [3]])
        #expect(cs.model.layers[1] is ReLU<Float>)
        #expect(cs.targets == .classes([0, 1, 2, 2, 1]))
    }
}
