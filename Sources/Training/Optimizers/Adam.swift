import NeuralNet
import Foundation
import TensorCore

/// Adam (Kingma & Ba, "Adam: a method for stochastic optimization", ICLR 2015):
///
///   t ← t + 1;  m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²
///   w ← w − η·m̂/(√v̂ + ε)  with  m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ),
///
/// evaluated in the paper's cheaper equivalent order (bias corrections folded into the step
/// size and ε). Weight decay is decoupled (AdamW, Loshchilov & Hutter, ICLR 2019):
/// w ← w − η·decay·w before the step, for weights and kernels. State slots: `m`, `v`.
public struct Adam<Scalar: TensorScalar>: Optimizer {
    public let configuration: OptimizerConfiguration
    public var state: OptimizerState<Scalar>

    public init(configuration: OptimizerConfiguration, model: Sequential<Scalar>) {
        self.configuration = configuration
        self.state = .zeros(["m", "v"], like: model)
    }

    public mutating func update(_ model: inout Sequential<Scalar>, along gradients: [Tensor<Scalar>]) {
        checkGradients(gradients, fit: model, "Adam")
        let c = configuration
        let t = Double(state.step + 1)
        let correction2 = (1 - pow(c.beta2, t)).squareRoot()
        let alpha = c.learningRate * correction2 / (1 - pow(c.beta1, t))
        let epsilonHat = c.epsilon * correction2
        let decays = model.parameterBlocks.map { $0.role != .bias }
        var m = state.slots.removeValue(forKey: "m") ?? []
        var v = state.slots.removeValue(forKey: "v") ?? []
        precondition(
            m.map(\.shape) == gradients.map(\.shape) && v.map(\.shape) == gradients.map(\.shape),
            "Adam: moments do not match the model's blocks")
        model.updateParameters { index, w in
            let n = w.count
            w.withUnsafeMutableBufferPointer { wp in
                m[index].withUnsafeMutableBufferPointer { mp in
                    v[index].withUnsafeMutableBufferPointer { vp in
                        gradients[index].withUnsafeBufferPointer { gp in
                            guard let wb = wp.baseAddress, let mb = mp.baseAddress, let vb = vp.baseAddress,
                                let gb = gp.baseAddress
                            else { return }
                            if c.weightDecay > 0 && decays[index] {
                                UpdateKernels.scale(wb, by: 1 - c.learningRate * c.weightDecay, count: n)
                            }
                            UpdateKernels.adam(
                                wb, mb, vb, gb, count: n, alpha: alpha, beta1: c.beta1, beta2: c.beta2,
                                epsilon: epsilonHat)
                        }
                    }
                }
            }
        }
        state.slots["m"] = m
        state.slots["v"] = v
        state.step += 1
    }
}
