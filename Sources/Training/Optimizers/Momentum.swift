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
public struct Momentum<Scalar: TensorScalar>: Optimizer {
    public let configuration: OptimizerConfiguration
    public var state: OptimizerState<Scalar>

    public init(configuration: OptimizerConfiguration, model: Sequential<Scalar>) {
        precondition(
            configuration.kind == .momentum || configuration.kind == .nesterov,
            "Momentum made from a \(configuration.kind) configuration")
        self.configuration = configuration
        self.state = .zeros(["velocity"], like: model)
    }

    public mutating func update(_ model: inout Sequential<Scalar>, along gradients: [Tensor<Scalar>]) {
        update(&model, along: gradients, skipping: [])
    }

    /// Classical momentum without weight decay folds into the weight-gradient GEMM.
    public var fusedWeightRule: FusedWeightRule? {
        configuration.kind == .momentum && configuration.weightDecay == 0
            ? .momentum(learningRate: configuration.learningRate, momentum: configuration.momentum) : nil
    }

    public mutating func withVelocity(_ index: Int, _ body: (UnsafeMutablePointer<Scalar>) -> Void) {
        var velocity = state.slots.removeValue(forKey: "velocity") ?? []
        precondition(velocity.indices.contains(index), "Momentum: no velocity for block \(index)")
        velocity[index].withUnsafeMutableBufferPointer { body($0.baseAddress!) }
        state.slots["velocity"] = velocity
    }

    /// Without weight decay, the measured blocks are updated by ``MeasuredUpdateKernels``.
    public mutating func measuredUpdate(
        _ model: inout Sequential<Scalar>, along gradients: [Tensor<Scalar>],
        measuring measured: [Int]
    ) -> [Int: WeightChange]? {
        guard configuration.weightDecay == 0 else { return nil }
        return step(&model, along: gradients, skipping: [], measuring: measured)
    }

    public mutating func update(_ model: inout Sequential<Scalar>, along gradients: [Tensor<Scalar>], skipping: [Bool])
    {
        step(&model, along: gradients, skipping: skipping, measuring: [])
    }

    /// One step; the blocks in `measured` (never decayed: ``measuredUpdate(_:along:measuring:)``
    /// refuses weight decay) also return their ``WeightChange``.
    @discardableResult
    mutating func step(
        _ model: inout Sequential<Scalar>, along gradients: [Tensor<Scalar>], skipping: [Bool],
        measuring measured: [Int]
    ) -> [Int: WeightChange] {
        checkGradients(gradients, fit: model, "Momentum")
        let (lr, mu, decay) = (configuration.learningRate, configuration.momentum, configuration.weightDecay)
        let nesterov = configuration.kind == .nesterov
        let decays = model.parameterBlocks.map { $0.role != .bias }
        var velocity = state.slots.removeValue(forKey: "velocity") ?? []
        precondition(
            velocity.map(\.shape) == gradients.map(\.shape),
            "Momentum: velocity \(velocity.map(\.shape)) does not match the model")
        var changes = [Int: WeightChange]()
        model.updateParameters { index, w in
            if index < skipping.count && skipping[index] { return }
            let n = w.count
            w.withUnsafeMutableBufferPointer { wp in
                velocity[index].withUnsafeMutableBufferPointer { vp in
                    gradients[index].withUnsafeBufferPointer { gp in
                        guard let wb = wp.baseAddress, let vb = vp.baseAddress, let gb = gp.baseAddress else { return }
                        if measured.contains(index) {
                            changes[index] = MeasuredUpdateKernels.momentum(
                                wb, vb, gb, count: n, learningRate: lr, momentum: mu, nesterov: nesterov)
                            return
                        }
                        guard decay > 0 && decays[index] else {
                            UpdateKernels.momentum(
                                wb, vb, gb, count: n, learningRate: lr, momentum: mu, nesterov: nesterov)
                            return
                        }
                        // g + decay·w, in a scratch copy so the caller's gradient is untouched.
                        var decayed = Array(gp)
                        decayed.withUnsafeMutableBufferPointer { d in
                            UpdateKernels.axpy(decay, UnsafePointer(wb), d.baseAddress!, count: n)
                            UpdateKernels.momentum(
                                wb, vb, UnsafePointer(d.baseAddress!), count: n, learningRate: lr, momentum: mu,
                                nesterov: nesterov)
                        }
                    }
                }
            }
        }
        state.slots["velocity"] = velocity
        state.step += 1
        return changes
    }
}
