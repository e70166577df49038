import Foundation
import NeuralNet
import TensorCore
import Testing
@testable import Training

/// The monitor's figures against direct computations on one SGD step, where ΔW = −η·∇W.
struct GradientFlowMonitorTests {
    @Test(arguments: [ActivationKind.sigmoid, .tanh, .relu])
    func figuresMatchTheirDefinitions(activation: ActivationKind) throws {
        var model: Sequential<Double> = try Fixtures.model(
            sizes: [5, 7, 6, 3], activation: activation, initializer: .he, seed: 3)
        let data: ExampleSet<Double> = Fixtures.blobs(count: 10, features: 5, classes: 3)
        let workspace = TrainingWorkspace(model: model, capacity: 10)
        workspace.loadBatch(rows: Array(0..<10), of: data.inputs)
        var context = ForwardContext(mode: .training)
        workspace.forward(model, context: &context)
        let (loss, _) = workspace.backward(model, targets: data.targets)
        let monitor = GradientFlowMonitor(model: model)
        #expect(monitor.layers.map(\.name) == ["layer1", "layer2", "layer3"])
        #expect(monitor.layers.map(\.activation) == [activation.rawValue, activation.rawValue, "dense"])
        monitor.snapshot(model)
        let before = model.parameters.map { $0.scalars.map { $0 } }
        let gradients = workspace.gradients
        var sgd = OptimizerConfiguration(kind: .sgd, learningRate: 0.1).makeOptimizer(for: model)
        sgd.update(&model, along: gradients)
        let sample = monitor.measure(model, workspace: workspace, gradients: gradients, step: 7, epoch: 2, loss: loss)
        #expect(sample.step == 7 && sample.epoch == 2 && sample.loss == loss)

        for (l, layer) in monitor.layers.enumerated() {
            let w = model.parameters[layer.weightBlock].scalars, w0 = before[layer.weightBlock]
            let g = gradients[layer.weightBlock].scalars
            let delta = zip(w, w0).map { $0 - $1 }
            let s = sample.layers[l]
            func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-12 * max(1, abs(b)) }
            #expect(close(s.meanAbsoluteUpdate, delta.map(abs).reduce(0, +) / Double(delta.count)))
            #expect(close(s.meanAbsoluteUpdate, 0.1 * g.map(abs).reduce(0, +) / Double(g.count)))
            #expect(close(s.updateNorm, sqrt(delta.map { $0 * $0 }.reduce(0, +))))
            #expect(close(s.gradientNorm, sqrt(g.map { $0 * $0 }.reduce(0, +))))
            #expect(close(s.weightNorm, sqrt(w.map { $0 * $0 }.reduce(0, +))))
            #expect(close(s.updateRatio, s.updateNorm / s.weightNorm))

            let y = Array(workspace.layerOutput(layer.activationLayerIndex))
            let mean = y.reduce(0, +) / Double(y.count)
            #expect(close(s.activationMean, mean))
            #expect(
                abs(
                    s.activationStandardDeviation
                        - sqrt(y.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(y.count))) < 1e-9)
            let isHidden = l < 2
            switch activation {
            case .sigmoid where isHidden:
                #expect(s.saturation == Double(y.filter { $0 * (1 - $0) < 0.0025 }.count) / Double(y.count))
            case .tanh where isHidden:
                #expect(s.saturation == Double(y.filter { 1 - $0 * $0 < 0.01 }.count) / Double(y.count))
            case .relu where isHidden:
                let columns = workspace.widths[layer.activationLayerIndex]
                let dead = (0..<columns).filter { j in (0..<10).allSatisfy { y[$0 * columns + j] <= 0 } }.count
                #expect(s.deadFraction == Double(dead) / Double(columns))
            default:
                #expect(s.saturation == nil && s.deadFraction == nil)
            }
        }
    }

    /// Saturated sigmoids and dead ReLUs are counted as defined.
    @Test func saturationAndDeadUnitCounts() {
        let sigmoid: [Float] = [0.5, 0.999, 0.001, 0.9, 0.9975, 0.0001]
        let s = sigmoid.withUnsafeBufferPointer {
            ActivationStatistics.summarize(.sigmoid, $0.baseAddress!, rows: 2, columns: 3)
        }
        #expect(s.saturation == 4.0 / 6)  // 0.999, 0.001, 0.9975, 0.0001 have y(1 − y) < 0.0025
        let relu: [Float] = [0, 1, 0, 0, 2, 0, 0, 0, 0]  // 3 examples × 3 units: unit 0 and 2 never fire
        let r = relu.withUnsafeBufferPointer {
            ActivationStatistics.summarize(.relu, $0.baseAddress!, rows: 3, columns: 3)
        }
        #expect(r.deadFraction == 2.0 / 3)
    }
}
