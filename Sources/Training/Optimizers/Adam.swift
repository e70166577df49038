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

    public func step(
        block index: Int, weights w: UnsafeMutableBufferPointer<Scalar>, gradient g: UnsafeBufferPointer<Scalar>,
        decays: Bool, step: Int, slots: inout [String: [Tensor<Scalar>]]
    ) {
        let c = configuration
        let t = Double(step)
        let correction2 = (1 - pow(c.beta2, t)).squareRoot()
        let alpha = c.learningRate * correction2 / (1 - pow(c.beta1, t))
        let epsilonHat = c.epsilon * correction2
        var m = slots.removeValue(forKey: "m") ?? []
        var v = slots.removeValue(forKey: "v") ?? []
        precondition(
            m.indices.contains(index) && v.indices.contains(index) && m[index].count == w.count
                && v[index].count == w.count,
            "Adam: no moments of \(w.count) entries for block \(index) (m \(m.map(\.shape)), v \(v.map(\.shape)))")
        m[index].withUnsafeMutableBufferPointer { mp in
            v[index].withUnsafeMutableBufferPointer { vp in
                guard let wb = w.baseAddress, let mb = mp.baseAddress, let vb = vp.baseAddress,
                    let gb = g.baseAddress
                else { return }
                if c.weightDecay > 0 && decays {
                    UpdateKernels.scale(wb, by: 1 - c.learningRate * c.weightDecay, count: w.count)
                }
                UpdateKernels.adam(
                    wb, mb, vb, gb, count: w.count, alpha: alpha, beta1: c.beta1, beta2: c.beta2, epsilon: epsilonHat)
            }
        }
        slots["m"] = m
        slots["v"] = v
    }
}
