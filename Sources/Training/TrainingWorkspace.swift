import NeuralNet
import TensorCore

/// Reusable buffers for the forward and backward passes of one model, so that a training
/// step allocates nothing that grows with the model.
///
/// It computes what ``Sequential/evaluateUnchecked(inputs:targets:context:)`` computes — the
/// loss with L2 regularisation and ∂L/∂θ for every parameter block — but specialised:
/// `Dense` layers run as GEMMs straight into preallocated outputs and gradients
/// (Y = 1·bᵀ + X·Wᵀ; ∂L/∂W = δᵀX; ∂L/∂b = Σᵢδᵢ; ∂L/∂X = δW), sigmoid, tanh, ReLU, leaky ReLU
/// and identity activations run from their outputs (see `ActivationKernels`) — fused into the
/// GEMMs' epilogues when they follow a dense layer (f after X·Wᵀ + 1·bᵀ, f′ after the next
/// layer's δW; `GEMMEpilogue` (TensorCore)), with the same bits as the separate kernels — and softmax
/// cross-entropy with class targets is fused. Any other
/// layer (convolution, pooling, dropout, softmax, flatten) and any other loss runs through its
/// own `forward`/`backward`, so every model works; a model with tied layers is evaluated by
/// `Sequential` itself. The tests check it against `Sequential` on every layer kind.
///
/// A workspace is scratch memory for one thread: it is a class, not `Sendable`.
public final class TrainingWorkspace<Scalar: TensorScalar> {
    enum Plan {
        case dense(weight: Int, bias: Int)
        case activation(Activation)
        case general
    }

    /// The largest batch the buffers hold.
    public let capacity: Int
    /// Values per example entering the model, and leaving each layer.
    public let inputWidth: Int
    public let widths: [Int]
    /// Per-example output shape of each layer.
    let shapes: [[Int]]
    let plans: [Plan]
    let usesReference: Bool
    var referenceContext = ForwardContext()
    let modelInputShape: [Int]
    /// The lowest layer that owns parameters: backpropagation stops there.
    let lowestParameterLayer: Int
    /// `fusedActivation[i]`: layer i is a dense layer whose GEMM also applies layer i + 1, an
    /// element-wise activation (forward: bias and f in the GEMM's epilogue, written straight to
    /// layer i + 1's output; backward: f′ applied by the epilogue of the GEMM above that makes
    /// ∂L/∂y). Layer i's own output (the pre-activation) is then not stored.
    let fusedActivation: [Bool]
    /// `fusedDerivative[i]`: layer i is an element-wise activation directly below a dense layer,
    /// so the dense layer's input-gradient GEMM multiplies by f′ in its epilogue.
    let fusedDerivative: [Bool]

    let input: UnsafeMutablePointer<Scalar>
    let outputs: [UnsafeMutablePointer<Scalar>]
    var delta: UnsafeMutablePointer<Scalar>
    var spare: UnsafeMutablePointer<Scalar>
    var tapes: [LayerTape<Scalar>?]

    /// ∂(loss + regularisation)/∂θ from the last ``backward(_:targets:)``, one tensor per block.
    /// Reading it after a ``backwardAndUpdate(_:targets:optimizer:)`` that fused weight updates
    /// (whose weight gradients were never written) is a programmer error that names the blocks.
    public var gradients: [Tensor<Scalar>] {
        precondition(
            !unwrittenGradients.contains(true),
            "TrainingWorkspace.gradients: blocks \(unwrittenGradients.indices.filter { unwrittenGradients[$0] }) were updated inside the backward pass and have no gradient; call backward(_:targets:) on steps that read gradients"
        )
        return storedGradients
    }
    /// Whether ``gradients`` can be read: false after a fused ``backwardAndUpdate(_:targets:optimizer:)``.
    public var gradientsAreCurrent: Bool { !unwrittenGradients.contains(true) }
    /// The gradients as the passes write them.
    var storedGradients: [Tensor<Scalar>]
    /// The blocks whose gradient the last pass did not write (updated in the GEMM instead).
    var unwrittenGradients: [Bool] = []
    /// The number of examples in the current batch.
    public private(set) var batchSize = 0

    /// Buffers for `model` and batches of up to `capacity` examples.
    public init(model: Sequential<Scalar>, capacity: Int) {
        precondition(capacity > 0, "TrainingWorkspace needs a positive capacity, got \(capacity)")
        self.capacity = capacity
        inputWidth = model.inputShape.reduce(1, *)
        modelInputShape = model.inputShape
        var shapes = [[Int]]()
        var shape = model.inputShape
        for layer in model.layers {
            guard case .success(let s) = layer.outputShape(forInput: shape) else {
                preconditionFailure(
                    "TrainingWorkspace: the model's layers do not chain at \(layer.kind) with input \(shape)")
            }
            shapes.append(s); shape = s
        }
        self.shapes = shapes
        widths = shapes.map { $0.reduce(1, *) }
        usesReference = !model.ties.isEmpty
        let blocks = model.parameterBlocks
        plans = model.layers.enumerated().map { index, layer in
            if layer is Dense<Scalar>,
                let w = blocks.firstIndex(where: { $0.layerIndex == index && $0.slotIndex == 0 }),
                let b = blocks.firstIndex(where: { $0.layerIndex == index && $0.slotIndex == 1 })
            {
                return .dense(weight: w, bias: b)
            }
            // A layer that declares an activation is computed by the fused kernels (a leaky
            // ReLU's derivative is written through y, which needs α ≥ 0).
            switch layer.activation {
            case .leakyReLU(let slope) where slope < 0: return .general
            case let f?: return .activation(f)
            case nil: return .general
            }
        }
        lowestParameterLayer = blocks.map(\.layerIndex).min() ?? model.layers.count
        let plans = self.plans
        fusedActivation = plans.indices.map { i in
            guard case .dense = plans[i], i + 1 < plans.count, case .activation(let f) = plans[i + 1] else {
                return false
            }
            return f.isNonlinear  // the identity needs no epilogue
        }
        fusedDerivative = plans.indices.map { i in
            guard case .activation(let f) = plans[i], i + 1 < plans.count, case .dense = plans[i + 1] else {
                return false
            }
            return f.isNonlinear  // the identity needs no epilogue
        }
        input = .allocate(capacity: capacity * inputWidth)
        outputs = widths.map { .allocate(capacity: capacity * $0) }
        let widest = ([inputWidth] + widths).max() ?? 1
        delta = .allocate(capacity: capacity * widest)
        spare = .allocate(capacity: capacity * widest)
        tapes = Array(repeating: nil, count: model.layers.count)
        storedGradients = blocks.map { Tensor(zeros: $0.shape) }
    }

    deinit {
        input.deallocate()
        outputs.forEach { $0.deallocate() }
        delta.deallocate()
        spare.deallocate()
    }

    // MARK: Batches

    /// Copies the examples at `rows` of `inputs` (shape `[N] + model.inputShape`) into the
    /// input buffer, in that order.
    public func loadBatch(rows: [Int], of inputs: Tensor<Scalar>) {
        precondition(rows.count <= capacity && !rows.isEmpty, "batch of \(rows.count) examples, capacity \(capacity)")
        precondition(
            inputs.count == (inputs.shape.first ?? 0) * inputWidth,
            "inputs of shape \(inputs.shape) do not have \(inputWidth) values per example")
        let bytes = inputWidth * MemoryLayout<Scalar>.stride
        inputs.withUnsafeBufferPointer { source in
            let base = UnsafeRawPointer(source.baseAddress!)
            for (i, row) in rows.enumerated() {
                UnsafeMutableRawPointer(input + i * inputWidth).copyMemory(from: base + row * bytes, byteCount: bytes)
            }
        }
        batchSize = rows.count
    }

    /// The current batch's inputs as a tensor (a copy).
    func inputTensor() -> Tensor<Scalar> {
        Tensor(
            shape: [batchSize] + shapesIn(0),
            scalars: Array(UnsafeBufferPointer(start: input, count: batchSize * inputWidth)))
    }

    /// The per-example shape entering layer `layer`.
    func shapesIn(_ layer: Int) -> [Int] { layer == 0 ? modelInputShape : shapes[layer - 1] }

    // MARK: Forward

    /// Runs every layer on the loaded batch; each layer's output stays in its buffer.
    public func forward(_ model: Sequential<Scalar>, context: inout ForwardContext) {
        precondition(batchSize > 0, "forward before loadBatch")
        if usesReference {
            referenceContext = context
            let tapes = model.forward(inputTensor(), context: &context)
            for (i, tape) in tapes.enumerated() { copy(tape.output, into: outputs[i]) }
            return
        }
        let m = batchSize
        for (li, layer) in model.layers.enumerated() {
            let x = li == 0 ? input : outputs[li - 1]
            let inW = li == 0 ? inputWidth : widths[li - 1]
            let y = outputs[li], outW = widths[li]
            switch plans[li] {
            case .dense:
                // Y = X·Wᵀ + 1·bᵀ, and f(Y) into the next layer's output when it is fused.
                let dense = layer as! Dense<Scalar>
                var operation = GEMMEpilogue<Scalar>.Operation.none
                var target = y
                if fusedActivation[li], case .activation(let g) = plans[li + 1], g.isNonlinear {
                    operation = .activation(g)
                    target = outputs[li + 1]
                }
                dense.bias.withUnsafeBufferPointer { b in
                    dense.weight.withUnsafeBufferPointer { w in
                        Scalar.gemm(
                            .none, .transposed, m: m, n: outW, k: inW, alpha: 1, a: x, lda: inW,
                            b: w.baseAddress!, ldb: inW, beta: 0, c: target, ldc: outW,
                            epilogue: GEMMEpilogue(bias: b.baseAddress!, operation: operation))
                    }
                }
            case .activation(let f):
                if li > 0 && fusedActivation[li - 1] { continue }
                ActivationKernels.forward(f, UnsafePointer(x), y, count: m * outW)
            case .general:
                let xt = Tensor(
                    shape: [m] + shapesIn(li), scalars: Array(UnsafeBufferPointer(start: x, count: m * inW)))
                let tape = layer.forward(xt, context: &context)
                copy(tape.output, into: y)
                tapes[li] = tape
            }
        }
    }

    func copy(_ t: Tensor<Scalar>, into p: UnsafeMutablePointer<Scalar>) {
        t.withUnsafeBufferPointer {
            UnsafeMutableRawPointer(p).copyMemory(
                from: $0.baseAddress!, byteCount: $0.count * MemoryLayout<Scalar>.stride)
        }
    }

    /// The model's output for the current batch, `batchSize × classes`, row-major.
    public var output: UnsafeBufferPointer<Scalar> {
        UnsafeBufferPointer(start: outputs[outputs.count - 1], count: batchSize * widths[widths.count - 1])
    }

    /// The output of layer `index` (0-based, in ``Sequential/layers``) for the current batch.
    ///
    /// A dense layer directly followed by an element-wise activation runs as one fused GEMM
    /// that writes only the activation's output: for such a layer (``storesOutput(_:)`` is
    /// false) the buffer holds no current values.
    public func layerOutput(_ index: Int) -> UnsafeBufferPointer<Scalar> {
        UnsafeBufferPointer(start: outputs[index], count: batchSize * widths[index])
    }

    /// Whether ``layerOutput(_:)`` holds layer `index`'s output after a forward pass (false for
    /// a dense layer fused with the activation after it).
    public func storesOutput(_ index: Int) -> Bool {
        !(fusedActivation.indices.contains(index) && fusedActivation[index]) || usesReference
    }

    // MARK: Loss and backward

    /// The data loss of the forward pass's output; with `gradient`, ∂L/∂output goes to the
    /// backward buffer.
    func dataLoss(_ model: Sequential<Scalar>, targets: Targets<Scalar>, gradient: Bool) -> Double {
        let m = batchSize, k = widths[widths.count - 1]
        let z = outputs[outputs.count - 1]
        if model.loss is SoftmaxCrossEntropy<Scalar>, case .classes(let labels) = targets {
            precondition(labels.count == m, "\(labels.count) labels for a batch of \(m)")
            return LossKernels.softmaxCrossEntropy(
                z, rows: m, classes: k, labels: labels, gradient: gradient ? delta : nil)
        }
        let out = Tensor(shape: [m, k], scalars: Array(UnsafeBufferPointer(start: z, count: m * k)))
        let (value, g) = model.loss.evaluate(out, targets: targets)
        if gradient { copy(g, into: delta) }
        return value
    }

    /// The loss (data + L2) on the current batch without gradients, after ``forward(_:context:)``.
    public func loss(_ model: Sequential<Scalar>, targets: Targets<Scalar>) -> (value: Double, dataLoss: Double) {
        let data = dataLoss(model, targets: targets, gradient: false)
        let reg = regularization(model, addGradient: false)
        return (data + reg, data)
    }

    /// The loss (data + L2) and ∂L/∂θ into ``gradients``, after ``forward(_:context:)``.
    @discardableResult
    public func backward(_ model: Sequential<Scalar>, targets: Targets<Scalar>) -> (value: Double, dataLoss: Double) {
        unwrittenGradients = []
        let data = dataLoss(model, targets: targets, gradient: true)
        if usesReference {
            // Tied layers: Sequential does the whole pass again, from the forward pass's context
            // (so that dropout draws the same masks).
            var context = referenceContext
            let e = model.evaluateUnchecked(inputs: inputTensor(), targets: targets, context: &context)
            storedGradients = e.gradients
            return (e.value, e.dataLoss)
        }
        var model = model
        var fused = [Bool]()
        backwardLayers(&model, rule: nil, fused: &fused, velocity: { _, _ in })
        let reg = regularization(model, addGradient: true)
        return (data + reg, data)
    }

    /// ``backward(_:targets:)`` followed by `optimizer`'s step on `model` — only when the loss is
    /// finite; otherwise the model and the optimizer are left as they were.
    ///
    /// When the optimizer is a ``FusibleOptimizer`` with a rule (SGD, or classical momentum,
    /// without weight decay), the model has no L2 regularisation and no tied layers, each dense
    /// layer's weight update runs inside its weight-gradient GEMM (after its input gradient,
    /// which needs the old weights), so the weight gradient is never written: ``gradients``
    /// then refuses to be read (``gradientsAreCurrent`` is false) until the next
    /// ``backward(_:targets:)``, which steps that read gradients use. The arithmetic depends only on the configuration, so a run
    /// that fuses on the same steps is reproducible bit for bit.
    @discardableResult
    public func backwardAndUpdate(
        _ model: inout Sequential<Scalar>, targets: Targets<Scalar>,
        optimizer: inout any Optimizer<Scalar>
    ) -> (value: Double, dataLoss: Double) {
        guard let rule = optimizer.fusion, !usesReference, model.regularization.lambda == 0 else {
            let result = backward(model, targets: targets)
            if result.value.isFinite { optimizer.update(&model, along: storedGradients) }
            return result
        }
        unwrittenGradients = []
        let data = dataLoss(model, targets: targets, gradient: true)
        var fused = [Bool](repeating: false, count: storedGradients.count)
        guard data.isFinite else {
            backwardLayers(&model, rule: nil, fused: &fused, velocity: { _, _ in })
            return (data, data)
        }
        backwardLayers(
            &model, rule: rule, fused: &fused,
            velocity: { index, body in
                // The velocity slot (``FusibleOptimizer``), updated in place through `state`.
                optimizer.state.slots["velocity"]![index].withUnsafeMutableBufferPointer { body($0.baseAddress!) }
            })
        optimizer.update(&model, along: storedGradients, skipping: fused)
        unwrittenGradients = fused
        return (data, data)
    }

    /// Backpropagates the backward buffer (∂L/∂output) through the layers into ``gradients``;
    /// with `rule`, dense weights are updated in the weight-gradient GEMM instead (and marked in
    /// `fused`).
    func backwardLayers(
        _ model: inout Sequential<Scalar>, rule: FusedWeightRule?, fused: inout [Bool],
        velocity: (Int, (UnsafeMutablePointer<Scalar>) -> Void) -> Void
    ) {
        let m = batchSize
        for li in stride(from: model.layers.count - 1, through: lowestParameterLayer, by: -1) {
            let x = li == 0 ? input : outputs[li - 1]
            let inW = li == 0 ? inputWidth : widths[li - 1]
            let outW = widths[li]
            let needsInputGradient = li > lowestParameterLayer
            switch plans[li] {
            case .activation(let f):
                // Below a dense layer, f′ was applied by the epilogue of its input-gradient GEMM.
                if fusedDerivative[li] { continue }
                ActivationKernels.backward(f, output: outputs[li], gradient: delta, count: m * outW)
            case .dense(let wi, let bi):
                let d = delta
                // ∂L/∂b = Σᵢ δᵢ, the column sums of δ.
                storedGradients[bi].withUnsafeMutableBufferPointer { gb in
                    Self.columnSums(d, rows: m, columns: outW, into: gb.baseAddress!)
                }
                guard let rule else {
                    storedGradients[wi].withUnsafeMutableBufferPointer { gw in
                        Scalar.gemm(
                            .transposed, .none, m: outW, n: inW, k: m, alpha: 1, a: d, lda: outW,
                            b: x, ldb: inW, beta: 0, c: gw.baseAddress!, ldc: inW)
                    }
                    if needsInputGradient {
                        inputGradient(model.layers[li] as! Dense<Scalar>, layer: li, rows: m, inW: inW, outW: outW)
                    }
                    continue
                }
                // ∂L/∂X = δW needs the old weights: first.
                if needsInputGradient {
                    inputGradient(model.layers[li] as! Dense<Scalar>, layer: li, rows: m, inW: inW, outW: outW)
                }
                model.updateParameter(layer: li, slot: 0) { weight in
                    weight.withUnsafeMutableBufferPointer { wp in
                        let w = wp.baseAddress!
                        switch rule {
                        case .sgd(let lr):
                            // w ← w − η·δᵀX
                            Scalar.gemm(
                                .transposed, .none, m: outW, n: inW, k: m, alpha: Scalar(-lr), a: d, lda: outW,
                                b: x, ldb: inW, beta: 1, c: w, ldc: inW)
                        case .momentum(let lr, let mu):
                            // v ← μv − η·δᵀX;  w ← w + v
                            // (w ← w + v in the GEMM's epilogue, on each block of v while it is in cache.)
                            velocity(wi) { v in
                                Scalar.gemm(
                                    .transposed, .none, m: outW, n: inW, k: m, alpha: Scalar(-lr), a: d, lda: outW,
                                    b: x, ldb: inW, beta: Scalar(mu), c: v, ldc: inW,
                                    epilogue: GEMMEpilogue(operation: .addTo(w, rowStride: inW)))
                            }
                        }
                    }
                }
                fused[wi] = true
            case .general:
                let layer = model.layers[li]
                let g = Tensor(
                    shape: [m] + shapes[li], scalars: Array(UnsafeBufferPointer(start: delta, count: m * outW)))
                var parameterGradients = layer.parameterSlots.map { Tensor<Scalar>(zeros: $0.shape) }
                let inputGradient = layer.backward(g, tape: tapes[li]!, parameterGradients: &parameterGradients)
                for (bi, block) in model.parameterBlocks.enumerated() where block.layerIndex == li {
                    storedGradients[bi] = parameterGradients[block.slotIndex]
                }
                if needsInputGradient { copy(inputGradient, into: delta) }
            }
        }
    }

    /// ∂L/∂X = δ·W into the backward buffer; when the layer below is an activation f,
    /// ∂L/∂X ⊙ f′ (its backward step, done in the GEMM's epilogue).
    func inputGradient(_ dense: Dense<Scalar>, layer li: Int, rows m: Int, inW: Int, outW: Int) {
        let d = delta
        var operation = GEMMEpilogue<Scalar>.Operation.none
        if li > 0, fusedDerivative[li - 1], case .activation(let g) = plans[li - 1], g.isNonlinear {
            operation = .timesDerivative(g, output: UnsafePointer(outputs[li - 1]), rowStride: inW)
        }
        dense.weight.withUnsafeBufferPointer { w in
            Scalar.gemm(
                .none, .none, m: m, n: inW, k: outW, alpha: 1, a: d, lda: outW,
                b: w.baseAddress!, ldb: inW, beta: 0, c: spare, ldc: inW,
                epilogue: GEMMEpilogue(operation: operation))
        }
        swap(&delta, &spare)
    }

    /// out = the column sums of the row-major [rows, columns] matrix d: TensorCore's
    /// ``addColumnSums(_:rows:columns:into:)``, called with the concrete type so that its
    /// specialised loop runs (through the generic `Scalar` it would not be specialised here).
    static func columnSums(_ d: UnsafePointer<Scalar>, rows: Int, columns: Int, into out: UnsafeMutablePointer<Scalar>)
    {
        out.update(repeating: 0, count: columns)
        switch ConcreteScalar.of(Scalar.self) {
        case .float:
            addColumnSums(d.rebound(to: Float.self), rows: rows, columns: columns, into: out.rebound(to: Float.self))
        case .double:
            addColumnSums(d.rebound(to: Double.self), rows: rows, columns: columns, into: out.rebound(to: Double.self))
        case .other:
            addColumnSums(d, rows: rows, columns: columns, into: out)
        }
    }

    /// λ/(2m)·Σθ² over the covered blocks, adding λ/m·θ to their gradients when asked.
    func regularization(_ model: Sequential<Scalar>, addGradient: Bool) -> Double {
        let r = model.regularization
        guard r.lambda != 0 else { return 0 }
        var total = 0.0
        for (bi, block) in model.parameterBlocks.enumerated() where r.covers(block.role) {
            let theta = model.layers[block.layerIndex].parameters[block.slotIndex]
            theta.withUnsafeBufferPointer { t in
                guard let tb = t.baseAddress else { return }
                // L2Regularization's formulas, with the vectorised reduction and update kernels.
                total += r.cost(
                    sumOfSquares: ReductionKernels.absAndSquares(tb, count: t.count).squares, examples: batchSize)
                if addGradient {
                    storedGradients[bi].withUnsafeMutableBufferPointer { g in
                        UpdateKernels.axpy(
                            r.gradientCoefficient(examples: batchSize), tb, g.baseAddress!, count: t.count)
                    }
                }
            }
        }
        return total
    }
}
