import NeuralNet
import TensorCore

/// Plain stochastic gradient descent: w ← w − η·(g + λ_wd·w), the decay term only for
/// weights and kernels. Stateless apart from the step count.
public struct SGD<Scalar: TensorScalar>: FusibleOptimizer, MeasuringOptimizer {
    public let configuration: OptimizerConfiguration
    public var state: OptimizerState<Scalar>

    public init(configuration: OptimizerConfiguration, model: Sequential<Scalar>) {
        self.configuration = configuration
        self.state = OptimizerState()
    }

    public func step(
        block index: Int, weights w: UnsafeMutableBufferPointer<Scalar>, gradient g: UnsafeBufferPointer<Scalar>,
        decays: Bool, step: Int, slots: inout [String: [Tensor<Scalar>]]
    ) {
        guard let wb = w.baseAddress, let gb = g.baseAddress else { return }
        let lr = configuration.learningRate, decay = configuration.weightDecay
        // w ← (1 − η·decay)·w − η·g equals w − η·(g + decay·w).
        if decay > 0 && decays { UpdateKernels.scale(wb, by: 1 - lr * decay, count: w.count) }
        UpdateKernels.sgd(wb, gb, count: w.count, learningRate: lr)
    }

    /// w ← w − η·g folds into the weight-gradient GEMM when there is no weight decay.
    public var fusedWeightRule: FusedWeightRule? {
        configuration.weightDecay == 0 ? .sgd(learningRate: configuration.learningRate) : nil
    }

    /// Without weight decay, measured blocks are updated by ``MeasuredUpdateKernels``.
    public var measures: Bool { configuration.weightDecay == 0 }

    public func measuredStep(
        block index: Int, weights w: UnsafeMutableBufferPointer<Scalar>, gradient g: UnsafeBufferPointer<Scalar>,
        step: Int, slots: inout [String: [Tensor<Scalar>]]
    ) -> WeightChange {
        guard let wb = w.baseAddress, let gb = g.baseAddress else { return WeightChange() }
        return MeasuredUpdateKernels.sgd(wb, gb, count: w.count, learningRate: configuration.learningRate)
    }
}
