import NeuralNet
import TensorCore
import Testing

/// The problem a model description gives on its own: the preset, or a dense network on seeded
/// synthetic data of the requested size; settings out of range are errors naming the setting.
struct ArchitectureSpecProblemTests {
    @Test func denseNetworkOnSyntheticData() throws {
        let spec = ArchitectureSpec(layers: [3, 5, 2], activation: .tanh, examples: 6, seed: 4)
        let p: SupervisedProblem<Double> = try spec.problem()
        #expect(p.inputs.shape == [6, 3])
        #expect(p.inputs.scalars.allSatisfy { $0 >= -1 && $0 < 1 })
        guard case .classes(let labels) = p.targets else { Issue.record("expected class labels"); return }
        #expect(labels.count == 6 && labels.allSatisfy { (0..<2).contains($0) })
        #expect(p.model.parameterCount == 3 * 5 + 5 + 5 * 2 + 2)
        #expect(p.name == "dense 3→5→2")
        // Deterministic in the seed, and the seed matters.
        let again: SupervisedProblem<Double> = try spec.problem()
        #expect(again.inputs == p.inputs && again.model.flatParameters == p.model.flatParameters)
        var other = spec
        other.seed = 5
        let different: SupervisedProblem<Double> = try other.problem()
        #expect(different.inputs != p.inputs)
    }

    @Test func mseGetsDenseTargetsAndPresetIsTheDefault() throws {
        let p: SupervisedProblem<Float> = try ArchitectureSpec(hidden: [4], loss: .mse).problem()
        #expect(p.inputs.shape == [8, 8])
        guard case .dense(let t) = p.targets else { Issue.record("expected dense targets"); return }
        #expect(t.shape == [8, 4])
        let preset: SupervisedProblem<Double> = try ArchitectureSpec().problem()
        #expect(preset.inputs.shape == [5, 3])  // ex4-debug: checkNNGradients' 5 examples of 3 inputs
    }

    @Test func invalidSettingsNameTheSetting() {
        #expect(throws: ModelError.invalidSetting(.hidden, "must be positive, got [0]")) {
            let _: SupervisedProblem<Double> = try ArchitectureSpec(hidden: [0]).problem()
        }
        #expect(throws: ModelError.conflictingSettings([.preset, .layers, .hidden])) {
            let _: SupervisedProblem<Double> = try ArchitectureSpec(preset: .ex4Debug, layers: [3, 4]).problem()
        }
    }
}
