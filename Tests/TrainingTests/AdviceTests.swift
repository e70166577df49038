import Datasets
import NeuralNet
import Testing

@testable import Training

/// The diagnosis's advice fits the run: no fix suggests a setting the run already uses, fixes
/// name only settings that exist, and dead units and saturation are judged over several
/// readings, not one batch.
struct AdviceTests {
    /// A history of two monitored layers (the first with `activation`), `readings` readings
    /// with the given dead and saturated fractions and a healthy update ratio.
    static func history(activation: String, readings: Int, dead: Double?, saturated: Double?) -> TrainingHistory {
        var h = TrainingHistory(layers: [
            MonitoredLayer(
                name: "layer1", layerIndex: 0, weightBlock: 0, activationLayerIndex: 1, activation: activation,
                weightCount: 100),
            MonitoredLayer(
                name: "layer2", layerIndex: 2, weightBlock: 2, activationLayerIndex: 2, activation: "identity",
                weightCount: 50)
        ])
        for k in 0..<readings {
            let first = LayerSample(
                meanAbsoluteUpdate: 1e-3, updateNorm: 1e-3, weightNorm: 1, gradientNorm: 0.1, updateRatio: 1e-3,
                activationMean: 0, activationStandardDeviation: 1, saturation: saturated, deadFraction: dead)
            let second = LayerSample(
                meanAbsoluteUpdate: 1e-3, updateNorm: 1e-3, weightNorm: 1, gradientNorm: 0.1, updateRatio: 1e-3,
                activationMean: 0, activationStandardDeviation: 1, saturation: nil, deadFraction: nil)
            h.samples.append(MonitorSample(step: 10 * k, epoch: 1, loss: 1, layers: [first, second]))
        }
        return h
    }

    static func settings(_ findings: [TrainingFinding], _ code: TrainingFinding.Code) -> [TrainingSetting] {
        findings.first { $0.code == code }?.fixes.flatMap(\.settings) ?? []
    }

    @Test func deadUnitsNeedSeveralReadings() {
        let one = Diagnosis.diagnose(
            Self.history(activation: "relu", readings: 1, dead: 0.9, saturated: nil), stop: .completed)
        #expect(!one.contains { $0.code == .deadReLU }, "one batch is not evidence")
        let three = Diagnosis.diagnose(
            Self.history(activation: "relu", readings: 3, dead: 0.9, saturated: nil), stop: .completed)
        #expect(three.contains { $0.code == .deadReLU })
        let saturatedOnce = Diagnosis.diagnose(
            Self.history(activation: "sigmoid", readings: 2, dead: nil, saturated: 0.9), stop: .completed)
        #expect(!saturatedOnce.contains { $0.code == .saturation })
    }

    @Test func deadReLUAdviceSkipsWhatTheRunUses() {
        let h = Self.history(activation: "relu", readings: 5, dead: 0.9, saturated: nil)
        let general = Self.settings(Diagnosis.diagnose(h, stop: .completed), .deadReLU)
        #expect(general.contains(.initialization(.he)) && general.contains(.activation(.leakyReLU)))
        let withHe = Self.settings(
            Diagnosis.diagnose(h, stop: .completed, run: RunDescription(initializer: .he)), .deadReLU)
        #expect(!withHe.contains(.initialization(.he)) && withHe.contains(.learningRate))
        let leaky = Self.settings(
            Diagnosis.diagnose(h, stop: .completed, run: RunDescription(activation: .leakyReLU, initializer: .he)),
            .deadReLU)
        #expect(leaky == [.learningRate])
    }

    @Test func saturationAdviceFitsTheRun() {
        let h = Self.history(activation: "sigmoid", readings: 5, dead: nil, saturated: 0.9)
        let unit = Diagnosis.diagnose(
            h, stop: .completed, run: RunDescription(initializer: .xavierUniform, inputScaling: .unitInterval))
        let s = Self.settings(unit, .saturation)
        #expect(s.contains(.inputScaling(.standardized)), "inputs in [0, 1] are told about --normalize standard")
        #expect(!s.contains(.initialization(.xavierUniform)), "a Xavier run is not told to use Xavier")
        let standard = Self.settings(
            Diagnosis.diagnose(h, stop: .completed, run: RunDescription(inputScaling: .standardized)), .saturation)
        #expect(!standard.contains { if case .inputScaling = $0 { return true } else { return false } })
        let reluHe = Self.settings(
            Diagnosis.diagnose(h, stop: .completed, run: RunDescription(activation: .relu, initializer: .he)),
            .saturation)
        #expect(!reluHe.contains(.activation(.relu)) && !reluHe.contains(.initialization(.he)))
    }

    @Test func fixesNameOnlySettingsThatExist() {
        var findings = [TrainingFinding]()
        for (activation, dead, saturated) in [("relu", 0.9, nil), ("sigmoid", nil, 0.9)] as [(String, Double?, Double?)]
        {
            var h = Self.history(activation: activation, readings: 12, dead: dead, saturated: saturated)
            // Exploding over time and a too-high learning rate, too.
            for k in h.samples.indices {
                h.samples[k].layers[0].gradientNorm = k < 3 ? 0.01 : 100
                h.samples[k].layers[0].updateRatio = 0.5
                h.samples[k].layers[1].updateRatio = 0.5
            }
            findings += Diagnosis.diagnose(h, stop: .nonFiniteLoss(epoch: 1, batch: 3, step: 40, loss: .nan))
        }
        let codes = Set(findings.map(\.code))
        #expect(
            codes.isSuperset(of: [.deadReLU, .saturation, .explodingGradients, .learningRateTooHigh, .nonFiniteLoss]))
        let fixes = findings.flatMap(\.fixes)
        #expect(!fixes.contains { $0.description.contains("clip") }, "no flag clips gradients")
        #expect(fixes.allSatisfy { !$0.settings.isEmpty }, "\(fixes.filter { $0.settings.isEmpty })")
    }

    @Test func optimizerAdviceFitsTheRun() {
        var h = Self.history(activation: "relu", readings: 5, dead: 0, saturated: nil)
        for k in h.samples.indices { for l in 0..<2 { h.samples[k].layers[l].updateRatio = 1e-7 } }
        let adam = OptimizerConfiguration(kind: .adam, learningRate: 1e-3)
        let low = Diagnosis.diagnose(h, stop: .completed, run: RunDescription(optimizer: adam))
        #expect(Self.settings(low, .learningRateTooLow) == [.learningRate])
        let sgd = Diagnosis.diagnose(
            h, stop: .completed, run: RunDescription(optimizer: OptimizerConfiguration(kind: .sgd)))
        #expect(Self.settings(sgd, .learningRateTooLow).contains(.optimizer([.momentum, .adam])))
    }
}
