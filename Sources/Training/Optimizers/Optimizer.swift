import NeuralNet
import TensorCore

/// A first-order optimizer: a per-parameter-block step with its own state, applied in place
/// to a model (as swift-apis' `update(_:along:)`).
///
/// An optimizer writes its rule once, for one block (``step(block:weights:gradient:decays:step:slots:)``);
/// ``update(_:along:)`` runs it over the model's blocks and counts the step. State is kept per
/// parameter block of the model, in ``Sequential/parameterBlocks`` order, and is exposed as
/// ``state`` so that a checkpoint can store it and a resumed run continue bit for bit.
///
/// The fast training path asks for two optional capabilities: ``FusibleOptimizer`` (a dense
/// weight block's step folded into the backward pass's GEMM) and ``MeasuringOptimizer`` (a
/// step that also takes the sums a gradient-flow reading needs). An optimizer with neither
/// trains and is monitored correctly through its own step.
public protocol Optimizer<Scalar>: Sendable {
    associatedtype Scalar: TensorScalar

    /// The hyperparameters this optimizer was made from.
    var configuration: OptimizerConfiguration { get }

    /// The step count and the named state tensors (velocity, moments).
    var state: OptimizerState<Scalar> { get set }

    /// The update rule for block `index` of the model's parameter blocks: updates `weights`
    /// in place from `gradient` and this block's entries of `slots` (the state tensors, which
    /// it may update). `step` is the number of the step being taken, from 1 (the step count
    /// is advanced by ``update(_:along:)``, not here); `decays` says whether weight decay
    /// applies to the block (weights and kernels, not biases).
    func step(
        block index: Int, weights: UnsafeMutableBufferPointer<Scalar>, gradient: UnsafeBufferPointer<Scalar>,
        decays: Bool, step: Int, slots: inout [String: [Tensor<Scalar>]])
}

/// An optimizer whose step for a dense weight block can run inside the backward pass's
/// weight-gradient GEMM (see ``TrainingWorkspace/backwardAndUpdate(_:targets:optimizer:)``).
public protocol FusibleOptimizer<Scalar>: Optimizer {
    /// The rule the GEMM applies, or nil when this configuration cannot be fused. With
    /// ``FusedWeightRule/momentum(learningRate:momentum:)`` the velocity is the state slot
    /// `velocity`, which the GEMM updates in place.
    var fusedWeightRule: FusedWeightRule? { get }
}

/// An optimizer whose step can also return the sums a gradient-flow reading needs
/// (``WeightChange``), taken in the update's own pass over the weights.
public protocol MeasuringOptimizer<Scalar>: Optimizer {
    /// Whether ``measuredStep(block:weights:gradient:step:slots:)`` is available for this
    /// configuration.
    var measures: Bool { get }

    /// ``Optimizer/step(block:weights:gradient:decays:step:slots:)`` for a weight block, bit
    /// for bit the same update, that also returns the block's ``WeightChange``.
    func measuredStep(
        block index: Int, weights: UnsafeMutableBufferPointer<Scalar>, gradient: UnsafeBufferPointer<Scalar>,
        step: Int, slots: inout [String: [Tensor<Scalar>]]
    ) -> WeightChange
}

/// An optimizer step for one dense weight block that the backward pass can do inside its
/// weight-gradient GEMM (g = δᵀX), so that g is never written to memory:
///
/// - `sgd`: w ← w − η·g is the GEMM with α = −η, β = 1, C = w;
/// - `momentum` (classical): v ← μv − η·g is the GEMM with α = −η, β = μ, C = v; then w ← w + v.
public enum FusedWeightRule: Sendable, Equatable {
    case sgd(learningRate: Double)
    case momentum(learningRate: Double, momentum: Double)
}

extension Optimizer {
    /// One step: every parameter block of `model` (tied layers once) along `gradients` (one
    /// tensor per block, as ``Evaluation/gradients`` gives them), then the step count.
    public mutating func update(_ model: inout Sequential<Scalar>, along gradients: [Tensor<Scalar>]) {
        steps(&model, along: gradients, skipping: [], measuring: [])
    }

    /// ``update(_:along:)`` for the blocks whose `skipping` entry is false; the others have been
    /// updated already (by the fused backward pass). Counts as one step.
    public mutating func update(_ model: inout Sequential<Scalar>, along gradients: [Tensor<Scalar>], skipping: [Bool])
    {
        steps(&model, along: gradients, skipping: skipping, measuring: [])
    }

    /// ``update(_:along:)`` that also returns, for each block index in `measured`, the sums a
    /// gradient-flow reading needs; the update itself is bit for bit the same. `nil` when this
    /// optimizer is not a ``MeasuringOptimizer`` (or not for this configuration), and then
    /// nothing is updated: the caller copies the weights, calls ``update(_:along:)`` and compares.
    public mutating func measuredUpdate(
        _ model: inout Sequential<Scalar>, along gradients: [Tensor<Scalar>], measuring measured: [Int]
    ) -> [Int: WeightChange]? {
        // Asked on a temporary copy, released before the update (a live copy would make the
        // in-place update of the state tensors copy them).
        guard (self as? any MeasuringOptimizer<Scalar>)?.measures == true else { return nil }
        return steps(&model, along: gradients, skipping: [], measuring: measured)
    }

    /// The fused rule when this optimizer is a ``FusibleOptimizer`` that can fuse, else nil.
    public var fusion: FusedWeightRule? { (self as? any FusibleOptimizer<Scalar>)?.fusedWeightRule }

    /// The loop every optimizer shares: each block not skipped gets its step (the measuring
    /// one for the blocks in `measured`), then the count advances. The state tensors are moved
    /// out of ``state`` for the loop so that updating them in place never copies them.
    @discardableResult
    mutating func steps(
        _ model: inout Sequential<Scalar>, along gradients: [Tensor<Scalar>], skipping: [Bool],
        measuring measured: [Int]
    ) -> [Int: WeightChange] {
        checkGradients(gradients, fit: model, "\(Self.self)")
        var slots = state.slots
        state.slots = [:]
        let t = state.step + 1
        let measurer = measured.isEmpty ? nil : self as? any MeasuringOptimizer<Scalar>
        var changes = [Int: WeightChange]()
        let blocks = model.parameterBlocks
        model.updateParameters { index, w in
            if index < skipping.count && skipping[index] { return }
            w.withUnsafeMutableBufferPointer { wp in
                gradients[index].withUnsafeBufferPointer { gp in
                    if let measurer, measured.contains(index) {
                        changes[index] = measurer.measuredStep(
                            block: index, weights: wp, gradient: gp, step: t, slots: &slots)
                    } else {
                        step(
                            block: index, weights: wp, gradient: gp, decays: blocks[index].role != .bias, step: t,
                            slots: &slots)
                    }
                }
            }
        }
        state.slots = slots
        state.step = t
        return changes
    }
}

/// An optimizer's mutable state: how many steps it has taken, and named tensors with one
/// entry per parameter block (e.g. `velocity`, or Adam's `m` and `v`).
public struct OptimizerState<Scalar: TensorScalar>: Sendable, Equatable {
    public var step: Int
    public var slots: [String: [Tensor<Scalar>]]

    public init(step: Int = 0, slots: [String: [Tensor<Scalar>]] = [:]) {
        self.step = step; self.slots = slots
    }

    /// Zero tensors shaped like the model's parameter blocks, one list per name.
    public static func zeros(_ names: [String], like model: Sequential<Scalar>) -> OptimizerState {
        let tensors = model.parameterBlocks.map { Tensor<Scalar>(zeros: $0.shape) }
        return OptimizerState(slots: Dictionary(uniqueKeysWithValues: names.map { ($0, tensors) }))
    }
}

/// Which update rule `--optimizer` selects.
public enum OptimizerKind: String, Sendable, Codable, CaseIterable {
    /// w ← w − η·g.
    case sgd
    /// Classical (Polyak) momentum: v ← μv − η·g; w ← w + v.
    case momentum
    /// Nesterov momentum: v ← μv − η·g; w ← w + μv − η·g.
    case nesterov
    /// Adam (Kingma & Ba 2015), with decoupled weight decay when asked (AdamW).
    case adam
}

/// The hyperparameters of an optimizer, as the command line and checkpoints give them.
public struct OptimizerConfiguration: Sendable, Codable, Hashable {
    public var kind: OptimizerKind
    /// η.
    public var learningRate: Double
    /// μ for `momentum` and `nesterov`.
    public var momentum: Double
    /// Adam's β₁, β₂ and ε.
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Double
    /// Weight decay coefficient (0: none); applies to weights and kernels, not biases.
    /// SGD-family: adds decay·w to the gradient (the L2 penalty decay/2·‖w‖², per step
    /// rather than per example). Adam: w ← w − η·decay·w before the step (Loshchilov &
    /// Hutter 2019, "Decoupled weight decay regularization").
    public var weightDecay: Double

    public init(
        kind: OptimizerKind = .momentum, learningRate: Double = 0.01, momentum: Double = 0.9,
        beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double = 0
    ) {
        self.kind = kind; self.learningRate = learningRate; self.momentum = momentum
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon; self.weightDecay = weightDecay
    }

    /// Checks the ranges: η > 0, 0 ≤ μ < 1, 0 ≤ β < 1, ε > 0, decay ≥ 0, all finite.
    public func validate() throws(TrainingError) {
        guard learningRate > 0, learningRate.isFinite else {
            throw .invalidSetting(.learningRate, "must be a finite number > 0, got \(learningRate)")
        }
        guard momentum >= 0, momentum < 1 else {
            throw .invalidSetting(.momentum, "must be in [0, 1), got \(momentum)")
        }
        guard beta1 >= 0, beta1 < 1, beta2 >= 0, beta2 < 1 else {
            throw .invalidSetting(.adamBetas, "must be in [0, 1), got \(beta1) and \(beta2)")
        }
        guard epsilon > 0, epsilon.isFinite else { throw .invalidSetting(.adamEpsilon, "must be > 0, got \(epsilon)") }
        guard weightDecay >= 0, weightDecay.isFinite else {
            throw .invalidSetting(.weightDecay, "must be a finite number ≥ 0, got \(weightDecay)")
        }
    }

    /// A fresh optimizer (zero state) for `model`.
    public func makeOptimizer<S: TensorScalar>(for model: Sequential<S>) -> any Optimizer<S> {
        switch kind {
        case .sgd: return SGD(configuration: self, model: model)
        case .momentum, .nesterov: return Momentum(configuration: self, model: model)
        case .adam: return Adam(configuration: self, model: model)
        }
    }

    /// A short human description, e.g. `momentum (η 0.01, μ 0.99)`.
    public var summary: String {
        var parts = ["η \(learningRate)"]
        switch kind {
        case .sgd: break
        case .momentum, .nesterov: parts.append("μ \(momentum)")
        case .adam: parts.append("β₁ \(beta1), β₂ \(beta2), ε \(epsilon)")
        }
        if weightDecay > 0 { parts.append("weight decay \(weightDecay)") }
        return "\(kind.rawValue) (\(parts.joined(separator: ", ")))"
    }
}

/// Checks that gradients fit the model's blocks (a programmer error otherwise).
func checkGradients<S: TensorScalar>(_ gradients: [Tensor<S>], fit model: Sequential<S>, _ who: String) {
    // Compared without building arrays: this runs on every training step.
    let blocks = model.parameterBlocks
    var fits = gradients.count == blocks.count
    if fits { for (g, b) in zip(gradients, blocks) where g.shape != b.shape { fits = false; break } }
    precondition(
        fits, "\(who): gradients \(gradients.map(\.shape)) do not match parameter blocks \(blocks.map(\.shape))")
}
