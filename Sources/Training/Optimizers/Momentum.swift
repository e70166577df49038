import NeuralNet
import TensorCore

/// SGD with momentum, in the two forms of Sutskever, Martens, Dahl & Hinton (ICML 2013):
///
/// - classical (Polyak 1964), as in the vanishing-gradient demonstration:
///   v ← μv − η·g;  w ← w + v
/// - Nesterov's accelerated gradient, in the form that needs no look-ahead evaluation
///   (Bengio, Boulanger-Lewandowski & Pascanu 2013; cs231n; PyTorch's `nesterov=True`):
///   v ← μv − η·g;  w ← w + μv − η·g
///
/// With weight decay, g is replaced by g + decay·w for weights and kernels. The velocity
/// starts at zero; its state slot is `velocity`.
public struct Momentum<Scalar: TensorScalar>: FusibleOptimizer, MeasuringOptimizer {
    public let configuration: OptimizerConfiguration
    public var state: OptimizerState<Scalar>

    public init(configuration: OptimizerConfiguration, model: Sequential<Scalar>) {
        precondition(
            configuration.kind == .momentum || configuration.kind == .nesterov,
            "Momentum made from a \(configuration.kind) configuration")
        self.configuration = configuration
        self.state = .zeros(["velocity"], like: model)
    }

    public func step(
        block index: Int, weights w: UnsafeMutableBufferPointer<Scalar>, gradient g: UnsafeBufferPointer<Scalar>,
        decays: Bool, step: Int, slots: inout [String: [Tensor<Scalar>]]
    ) {
        let (lr, mu, decay) = (configuration.learningRate, configuration.momentum, configuration.weightDecay)
        let nesterov = configuration.kind == .nesterov
        withVelocity(index, count: w.count, &slots) { vb in
            guard let wb = w.baseAddress, let gb = g.baseAddress else { return }
            guard decay > 0 && decays else {
                UpdateKernels.momentum(wb, vb, gb, count: w.count, learningRate: lr, momentum: mu, nesterov: nesterov)
                return
            }
            // g + decay·w, in a scratch copy so the caller's gradient is untouched.
            var decayed = Array(g)
            decayed.withUnsafeMutableBufferPointer { d in
                UpdateKernels.axpy(decay, UnsafePointer(wb), d.baseAddress!, count: w.count)
                UpdateKernels.momentum(
                    wb, vb, UnsafePointer(d.baseAddress!), count: w.count, learningRate: lr, momentum: mu,
                    nesterov: nesterov)
            }
        }
    }

    /// Classical momentum without weight decay folds into the weight-gradient GEMM.
    public var fusedWeightRule: FusedWeightRule? {
        configuration.kind == .momentum && configuration.weightDecay == 0
            ? .momentum(learningRate: configuration.learningRate, momentum: configuration.momentum) : nil
    }

    /// Without weight decay, measured blocks are updated by ``MeasuredUpdateKernels``.
    public var measures: Bool { configuration.weightDecay == 0 }

    public func measuredStep(
        block index: Int, weights w: UnsafeMutableBufferPointer<Scalar>, gradient g: UnsafeBufferPointer<Scalar>,
        step: Int, slots: inout [String: [Tensor<Scalar>]]
    ) -> WeightChange {
        var change = WeightChange()
        withVelocity(index, count: w.count, &slots) { vb in
            guard let wb = w.baseAddress, let gb = g.baseAddress else { return }
            change = MeasuredUpdateKernels.momentum(
                wb, vb, gb, count: w.count, learningRate: configuration.learningRate,
                momentum: configuration.momentum, nesterov: configuration.kind == .nesterov)
        }
        return change
    }

    /// Block `index`'s velocity, in place (moved out of `slots` and back, so it is never copied).
    func withVelocity(
        _ index: Int, count: Int, _ slots: inout [String: [Tensor<Scalar>]],
        _ body: (UnsafeMutablePointer<Scalar>) -> Void
    ) {
        var velocity = slots.removeValue(forKey: "velocity") ?? []
        precondition(
            velocity.indices.contains(index) && velocity[index].count == count,
            "Momentum: no velocity of \(count) entries for block \(index) (velocity \(velocity.map(\.shape)))")
        velocity[index].withUnsafeMutableBufferPointer { body($0.baseAddress!) }
        slots["velocity"] = velocity
    }
}
