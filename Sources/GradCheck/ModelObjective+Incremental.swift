import NeuralNet
import TensorCore

extension ModelObjective {
    /// The value at point + step·e_index computed from the base forward pass, or nil when the
    /// perturbed parameter is not in a dense layer (then a full pass is used).
    ///
    /// For W[j, k] of dense layer L: Δz_L[:, j] = δ·X_L[:, k] (δ for the bias b[j]). Column j is
    /// carried through the element-wise layers that follow; the next dense layer receives the
    /// rank-1 update Δz = Δa[:, j] ⊗ W_next[:, j]; every later layer is recomputed in full.
    func incremental(_ index: Int, _ step: Double) -> Sample? {
        let model = problem.model
        guard let block = model.parameterBlocks.first(where: { $0.range.contains(index) }),
              let dense = model.layers[block.layerIndex] as? Dense<Scalar>, model.ties.isEmpty else { return nil }
        let li = block.layerIndex
        let local = index - block.offset
        let oldValue = Scalar(point[index])
        let newValue = Scalar(precision.representable(point[index] + step))
        let delta = newValue - oldValue
        let m = problem.inputs.shape[0]

        // Column j of the perturbed layer's output.
        let j: Int
        var column: [Scalar]
        let z = base.tapes[li].output
        let outWidth = dense.outputSize
        if block.slotIndex == 0 {
            j = local / dense.inputSize
            let k = local % dense.inputSize
            let x = base.tapes[li].input
            column = (0..<m).map { r in z.scalars[r * outWidth + j] + delta * x.scalars[r * dense.inputSize + k] }
        } else {
            j = local
            column = (0..<m).map { r in z.scalars[r * outWidth + j] + delta }
        }

        // Carry the column through element-wise layers.
        var crossed = false
        var next = li + 1
        var context = ForwardContext(mode: .evaluation)
        while next < model.layers.count, model.layers[next] is any ElementwiseActivation
                || model.layers[next] is Dropout<Scalar> {
            let layer = model.layers[next]
            if layer.kind == "relu" || layer.kind == "leaky-relu" {
                let baseInput = base.tapes[next].input.scalars
                for r in 0..<m where (column[r] > 0) != (baseInput[r * outWidth + j] > 0) { crossed = true; break }
            }
            column = layer.forward(Tensor(shape: [m, 1], scalars: column), context: &context).output.scalars
            next += 1
        }

        // The tensor entering layer `next`, and the regularisation change.
        var activations: Tensor<Scalar>
        let previous = base.tapes[next - 1].output
        if next < model.layers.count, let following = model.layers[next] as? Dense<Scalar> {
            // Rank-1 update of the next dense layer's pre-activation.
            activations = base.tapes[next].output
            let w = following.weight
            let (outs, ins) = (w.shape[0], w.shape[1])
            activations.withUnsafeMutableBufferPointer { zp in
                previous.withUnsafeBufferPointer { ap in
                    w.withUnsafeBufferPointer { wp in
                        for r in 0..<m {
                            let d = column[r] - ap[r * outWidth + j]
                            if d == 0 { continue }
                            for o in 0..<outs { zp[r * outs + o] += d * wp[o * ins + j] }
                        }
                    }
                }
            }
            next += 1
        } else {
            activations = previous
            for r in 0..<m { activations.scalars[r * outWidth + j] = column[r] }
        }

        // The remaining layers in full.
        var tapes = [LayerTape<Scalar>]()
        var x = activations
        for layer in model.layers[next...] {
            let tape = layer.forward(x, context: &context)
            tapes.append(tape)
            x = tape.output
        }
        if !crossed, !tapes.isEmpty {
            let baseTail = Array(base.tapes[next...])
            crossed = !Self.sameStructure(tapes, baseTail, layers: Array(model.layers[next...]))
        }
        let dataLoss = model.loss.evaluate(x, targets: problem.targets).value
        var reg = base.regularization
        if model.regularization.covers(block.role), model.regularization.lambda != 0 {
            let o = Double(oldValue), n = Double(newValue)
            reg += model.regularization.lambda / (2 * Double(m)) * (n * n - o * o)
        }
        return Sample(value: dataLoss + reg, structure: crossed ? 1 : 0)
    }
}
