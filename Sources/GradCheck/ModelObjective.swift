import NeuralNet
import Synchronization
import TensorCore

/// A built-in model with its batch as a ``GradientObjective``.
///
/// Values of single-coordinate perturbations are computed incrementally from the cached base
/// forward pass: perturbing entry (j, k) of a dense layer's weight changes only column j of its
/// output, which reaches the next dense layer as a rank-1 update; only the layers after that are
/// recomputed in full. This is exact up to rounding (tested against full evaluations) and is what
/// makes a full check of ex4's 10,285 parameters take seconds.
///
/// Each sample carries a structure flag: 1 when the perturbed point's ReLU masks or max-pool
/// winners differ from the base point's (the perturbation crossed a kink), 0 otherwise.
public struct ModelObjective<Scalar: TensorScalar>: GradientObjective {
    public let problem: SupervisedProblem<Scalar>
    public let blocks: [ObjectiveBlock]
    public let point: [Double]
    /// Training mode draws a fresh dropout mask on every evaluation (the "dropout left on" bug).
    public let mode: ExecutionMode
    let base: BaseState
    let freshSeeds = SeedCounter()

    struct BaseState: Sendable {
        var tapes: [LayerTape<Scalar>]
        var dataLoss: Double
        var regularization: Double
        /// Per layer index, its input (for dense layers) and its output (dense and element-wise
        /// layers) transposed, so that the columns the incremental path reads are contiguous.
        var inputColumns: [Int: Tensor<Scalar>] = [:]
        var outputColumns: [Int: Tensor<Scalar>] = [:]
    }

    final class SeedCounter: Sendable {
        let next = Atomic<UInt64>(1)
        func take() -> UInt64 { next.add(1, ordering: .relaxed).newValue }
    }

    public init(_ problem: SupervisedProblem<Scalar>, mode: ExecutionMode = .evaluation) throws(EvaluationError) {
        do { try problem.model.validate(inputs: problem.inputs, targets: problem.targets) } catch {
            throw .failed(error.description)
        }
        self.problem = problem
        self.mode = mode
        blocks = problem.model.parameterBlocks.map {
            ObjectiveBlock(name: $0.name, shape: $0.shape, offset: $0.offset, role: $0.role)
        }
        point = problem.model.flatParameters.map { Double($0) }
        var context = ForwardContext(mode: .evaluation)
        let tapes = problem.model.forward(problem.inputs, context: &context)
        let output = tapes.last?.output ?? problem.inputs
        let dataLoss = problem.model.loss.value(output, targets: problem.targets)
        var state = BaseState(
            tapes: tapes, dataLoss: dataLoss,
            regularization: Self.regularization(of: problem.model, examples: problem.inputs.shape[0]))
        if problem.model.ties.isEmpty, mode == .evaluation {
            for (i, layer) in problem.model.layers.enumerated() where tapes[i].output.shape.count == 2 {
                if layer is Dense<Scalar> {
                    state.inputColumns[i] = tapes[i].input.transposed()
                    state.outputColumns[i] = tapes[i].output.transposed()
                } else if layer is any ElementwiseActivation || layer is Dropout<Scalar> {
                    state.outputColumns[i] = tapes[i].output.transposed()
                }
            }
        }
        base = state
    }

    public var precision: Precision { Scalar.self == Float.self ? .float32 : .float64 }
    public var exampleCount: Int? { problem.inputs.shape.first }

    func context() -> ForwardContext {
        ForwardContext(mode: mode, rng: PRNG(seed: mode == .training ? freshSeeds.take() : 0))
    }

    public func valueAndGradient() throws(EvaluationError) -> (value: Double, gradient: [Double]) {
        var c = context()
        let e = problem.model.evaluateUnchecked(inputs: problem.inputs, targets: problem.targets, context: &c)
        return (e.value, ParameterVector.flatten(e.gradients).map { Double($0) })
    }

    public func values(at offsets: [Perturbation]) throws(EvaluationError) -> [Sample] {
        let samples = parallelMap(offsets.count) { k in
            GEMM.withSingleThread { evaluate(offsets[k]) }
        }
        return samples
    }

    /// The value at point + offset, incrementally when possible.
    func evaluate(_ offset: Perturbation) -> Sample {
        if mode == .evaluation, case .sparse(let indices, let values) = offset.storage, indices.count == 1,
            let s = incremental(indices[0], values[0])
        {
            return s
        }
        return full(offset)
    }

    /// A full forward pass at the perturbed point.
    func full(_ offset: Perturbation) -> Sample {
        var model = problem.model
        if !offset.isEmpty {
            // In place: only the blocks the offset touches are copied (copy-on-write), and no
            // flat vector of the whole model is built.
            let blocks = model.parameterBlocks
            model.updateParameters { bi, tensor in
                let range = blocks[bi].range
                var touched = false
                offset.forEachEntry(in: range) { _, _ in touched = true }
                guard touched else { return }
                tensor.withUnsafeMutableBufferPointer { t in
                    offset.forEachEntry(in: range) { i, d in
                        t[i - range.lowerBound] = Scalar(precision.representable(point[i] + d))
                    }
                }
            }
        }
        var c = context()
        let tapes = model.forward(problem.inputs, context: &c)
        let value =
            model.loss.value(tapes.last?.output ?? problem.inputs, targets: problem.targets)
            + Self.regularization(of: model, examples: problem.inputs.shape[0])
        return Sample(value: value, structure: Self.sameStructure(tapes, base.tapes, layers: model.layers) ? 0 : 1)
    }

    /// λ/(2m)·Σθ² over the blocks the model's regulariser covers.
    static func regularization(of model: Sequential<Scalar>, examples m: Int) -> Double {
        var r = 0.0
        for b in model.parameterBlocks where model.regularization.covers(b.role) {
            r += model.regularization.cost(model.layers[b.layerIndex].parameters[b.slotIndex], examples: m)
        }
        return r
    }

    /// Whether two forward passes took the same branch at every kink the layers declare
    /// (``Layer/kinks``: a ReLU's sign, a max-pool's winner, a user layer's own).
    static func sameStructure(
        _ a: [LayerTape<Scalar>], _ b: [LayerTape<Scalar>], layers: [any Layer<Scalar>],
        from start: Int = 0
    ) -> Bool {
        for li in start..<layers.count where !layers[li].kinks.sameBranches(a[li], b[li]) { return false }
        return true
    }
}
