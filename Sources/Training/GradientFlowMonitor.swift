import NeuralNet
import TensorCore

/// A layer the monitor watches: a layer that owns a weight (dense or convolution), with the
/// activation that follows it, if any.
public struct MonitoredLayer: Sendable, Codable, Hashable {
    /// `layer1`, `layer2`, … as in the parameter block names.
    public var name: String
    /// The index of the layer in ``Sequential/layers``.
    public var layerIndex: Int
    /// The index of its weight (or kernel) block in ``Sequential/parameterBlocks``.
    public var weightBlock: Int
    /// The layer after it whose output the activation statistics describe (itself if none).
    public var activationLayerIndex: Int
    /// That layer's kind: `sigmoid`, `tanh`, `relu`, `leaky-relu`, or the weight layer's own
    /// kind (`dense`) for an output layer. The written form (JSON, checkpoints); ``function``
    /// is the typed one.
    public var activation: String
    /// Entries of the weight.
    public var weightCount: Int

    /// The activation after the weight layer, typed; nil for an output layer (``activation``
    /// names the weight layer then).
    public var function: Activation? { Activation(name: activation).flatMap { $0.isNonlinear ? $0 : nil } }

    public init(
        name: String, layerIndex: Int, weightBlock: Int, activationLayerIndex: Int, activation: String, weightCount: Int
    ) {
        self.name = name; self.layerIndex = layerIndex; self.weightBlock = weightBlock
        self.activationLayerIndex = activationLayerIndex; self.activation = activation; self.weightCount = weightCount
    }
}

/// What the monitor measured for one layer at one step.
///
/// ΔW is the change the optimizer made to the layer's weight in this step (biases excluded,
/// as in the demonstration).
public struct LayerSample: Sendable, Codable, Equatable {
    /// mean |ΔW| over the weight's entries: the demonstration's per-layer curve.
    public var meanAbsoluteUpdate: Double
    /// ‖ΔW‖ (Frobenius).
    public var updateNorm: Double
    /// ‖W‖ after the step.
    public var weightNorm: Double
    /// ‖∂L/∂W‖ for the batch (regularisation included).
    public var gradientNorm: Double
    /// ‖ΔW‖/‖W‖; cs231n's rule of thumb wants about 10⁻³.
    public var updateRatio: Double
    /// Mean and standard deviation of the layer's activations over the batch.
    public var activationMean: Double
    public var activationStandardDeviation: Double
    /// Fraction of sigmoid/tanh activations whose derivative is below 1% of its maximum.
    public var saturation: Double?
    /// Fraction of ReLU units that are zero for every example of the batch.
    public var deadFraction: Double?

    public init(
        meanAbsoluteUpdate: Double, updateNorm: Double, weightNorm: Double, gradientNorm: Double, updateRatio: Double,
        activationMean: Double, activationStandardDeviation: Double, saturation: Double?, deadFraction: Double?
    ) {
        self.meanAbsoluteUpdate = meanAbsoluteUpdate; self.updateNorm = updateNorm; self.weightNorm = weightNorm
        self.gradientNorm = gradientNorm; self.updateRatio = updateRatio; self.activationMean = activationMean
        self.activationStandardDeviation = activationStandardDeviation; self.saturation = saturation;
        self.deadFraction = deadFraction
    }
}

/// One monitor reading: every watched layer at one training step.
public struct MonitorSample: Sendable, Codable, Equatable {
    /// The global step (batch) index, from 0.
    public var step: Int
    /// The epoch, from 1.
    public var epoch: Int
    /// The batch's loss (data + regularisation) before the step.
    public var loss: Double
    /// One entry per ``MonitoredLayer``, in order.
    public var layers: [LayerSample]

    public init(step: Int, epoch: Int, loss: Double, layers: [LayerSample]) {
        self.step = step; self.epoch = epoch; self.loss = loss; self.layers = layers
    }
}

/// Measures gradient flow per layer: ΔW, norms and activation statistics at a step.
///
/// With SGD or momentum the sums come from the optimizer's own pass over the weights
/// (``Optimizer/measuredUpdate(_:along:measuring:)``); other optimizers take a copy of the
/// weights before the step (``snapshot(_:)``) and compare after it. Plus one pass over the
/// activations. The cost per reading and at the default of one step in ten is in
/// BENCHMARKS.md.
final class GradientFlowMonitor<Scalar: TensorScalar> {
    let layers: [MonitoredLayer]
    let functions: [Activation?]
    var snapshots: [[Scalar]]

    init(model: Sequential<Scalar>) {
        layers = GradientFlowMonitor.monitoredLayers(of: model)
        functions = layers.map {
            model.layers[$0.activationLayerIndex].activation.flatMap { $0.isNonlinear ? $0 : nil }
        }
        snapshots = []
    }

    /// The weight blocks the readings describe, for ``Optimizer/measuredUpdate(_:along:measuring:)``.
    var weightBlocks: [Int] { layers.map(\.weightBlock) }

    /// The layers with a weight or kernel block, each with the activation that follows it.
    static func monitoredLayers(of model: Sequential<Scalar>) -> [MonitoredLayer] {
        var result = [MonitoredLayer]()
        for (bi, block) in model.parameterBlocks.enumerated() where block.role != .bias {
            var activationIndex = block.layerIndex
            let next = block.layerIndex + 1
            if next < model.layers.count, model.layers[next].parameterSlots.isEmpty,
                model.layers[next].activation?.isNonlinear == true
            {
                activationIndex = next
            }
            result.append(
                MonitoredLayer(
                    name: String(block.name.prefix { $0 != "." }), layerIndex: block.layerIndex,
                    weightBlock: bi, activationLayerIndex: activationIndex,
                    activation: model.layers[activationIndex].activation?.name ?? model.layers[activationIndex].kind,
                    weightCount: block.count))
        }
        return result
    }

    /// Copies every watched weight before the optimizer step.
    func snapshot(_ model: Sequential<Scalar>) {
        if snapshots.isEmpty { snapshots = layers.map { [Scalar](repeating: 0, count: $0.weightCount) } }
        for (i, layer) in layers.enumerated() {
            let w = model.layers[layer.layerIndex].parameters[model.parameterBlocks[layer.weightBlock].slotIndex]
            snapshots[i].withUnsafeMutableBufferPointer { s in
                w.withUnsafeBufferPointer { source in
                    let (from, to) = (UncheckedSendable(source.baseAddress!), UncheckedSendable(s.baseAddress!))
                    ParallelChunks.run(source.count) { o, c in (to.value + o).update(from: from.value + o, count: c)
                    }
                }
            }
        }
    }

    /// The reading after the optimizer step, from the weights before it (``snapshot(_:)``).
    func measure(
        _ model: Sequential<Scalar>, workspace: TrainingWorkspace<Scalar>, gradients: [Tensor<Scalar>],
        step: Int, epoch: Int, loss: Double
    ) -> MonitorSample {
        let changes = layers.enumerated().map { i, layer in
            let w = model.layers[layer.layerIndex].parameters[model.parameterBlocks[layer.weightBlock].slotIndex]
            let n = layer.weightCount
            let (absUpdate, squaredUpdate) = w.withUnsafeBufferPointer { wp in
                snapshots[i].withUnsafeBufferPointer { sp in
                    ReductionKernels.differenceAbsAndSquares(wp.baseAddress!, sp.baseAddress!, count: n)
                }
            }
            let weightSquares = w.withUnsafeBufferPointer {
                ReductionKernels.absAndSquares($0.baseAddress!, count: n).squares
            }
            let gradientSquares = gradients[layer.weightBlock].withUnsafeBufferPointer {
                ReductionKernels.absAndSquares($0.baseAddress!, count: n).squares
            }
            return WeightChange(
                absoluteChange: absUpdate, squaredChange: squaredUpdate, weightSquares: weightSquares,
                gradientSquares: gradientSquares)
        }
        return measure(changes, workspace: workspace, step: step, epoch: epoch, loss: loss)
    }

    /// The reading from the sums of each watched layer's weight block, in ``layers`` order.
    func measure(
        _ changes: [WeightChange], workspace: TrainingWorkspace<Scalar>, step: Int, epoch: Int, loss: Double
    ) -> MonitorSample {
        var samples = [LayerSample]()
        for (i, (layer, change)) in zip(layers, changes).enumerated() {
            let n = layer.weightCount
            let (absUpdate, squaredUpdate) = (change.absoluteChange, change.squaredChange)
            let (weightSquares, gradientSquares) = (change.weightSquares, change.gradientSquares)
            let activations = workspace.layerOutput(layer.activationLayerIndex)
            let columns = workspace.widths[layer.activationLayerIndex]
            let summary = ActivationStatistics.summarize(
                functions[i], activations.baseAddress!,
                rows: workspace.batchSize, columns: columns)
            let updateNorm = squaredUpdate.squareRoot(), weightNorm = weightSquares.squareRoot()
            samples.append(
                LayerSample(
                    meanAbsoluteUpdate: absUpdate / Double(n), updateNorm: updateNorm, weightNorm: weightNorm,
                    gradientNorm: gradientSquares.squareRoot(),
                    updateRatio: weightNorm > 0 ? updateNorm / weightNorm : .infinity,
                    activationMean: summary.mean, activationStandardDeviation: summary.standardDeviation,
                    saturation: summary.saturation, deadFraction: summary.deadFraction))
        }
        return MonitorSample(step: step, epoch: epoch, loss: loss, layers: samples)
    }
}
