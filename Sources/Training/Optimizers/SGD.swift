import NeuralNet
import TensorCore

/// Plain stochastic gradient descent: w ← w − η·(g + λ_wd·w), the decay term only for
/// weights and kernels. Stateless apart from the step count.
public struct SGD<Scalar: TensorScalar>: Optimizer {
    public let configuration: OptimizerConfiguration
    public var state: OptimizerState<Scalar>

    public init(configuration: OptimizerConfiguration, model: Sequential<Scalar>) {
        self.configuration = configuration
        self.state = OptimizerState()
    }

    public mutating func update(_ model: inout Sequential<Scalar>, along gradients: [Tensor<Scalar>]) {
        update(&model, along: gradients, skipping: [])
    }

    /// w ← w − η·g folds into the weight-gradient GEMM when there is no weight decay.
    public var fusedWeightRule: FusedWeightRule? {
        configuration.weightDecay == 0 ? .sgd(learningRate: configuration.learningRate) : nil
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
        checkGradients(gradients, fit: model, "SGD")
        let lr = configuration.learningRate, decay = configuration.weightDecay
        let decays = model.parameterBlocks.map { $0.role != .bias }
        var changes = [Int: WeightChange]()
        model.updateParameters { index, w in
            if index < skipping.count && skipping[index] { return }
            let n = w.count
            w.withUnsafeMutableBufferPointer { wp in
                gradients[index].withUnsafeBufferPointer { gp in
                    guard let wb = wp.baseAddress, let gb = gp.baseAddress else { return }
                    if measured.contains(index) {
                        changes[index] = MeasuredUpdateKernels.sgd(wb, gb, count: n, learningRate: lr)
                        return
                    }
                    // w ← (1 − η·decay)·w − η·g equals w − η·(g + decay·w).
                    if decay > 0 && decays[index] { UpdateKernels.scale(wb, by: 1 - lr * decay, count: n) }
                    UpdateKernels.sgd(wb, gb, count: n, learningRate: lr)
                }
            }
        }
        state.step += 1
        return changes
    }
}
