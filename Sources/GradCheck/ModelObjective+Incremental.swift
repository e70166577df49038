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
            let dense = model.layers[block.layerIndex] as? Dense<Scalar>, model.ties.isEmpty
        else { return nil }
        let li = block.layerIndex
        let local = index - block.offset
        let oldValue = Scalar(point[index])
        let newValue = Scalar(precision.representable(point[index] + step))
        let delta = newValue - oldValue
        let m = problem.inputs.shape[0]

        // Column j of the perturbed layer's output: z[:, j] + δ·X[:, k] (or + δ for the bias),
        // read from the transposed copies of the base pass (contiguous columns).
        let j: Int
        let outWidth = dense.outputSize
        var column = Tensor<Scalar>(zeros: [m, 1])
        guard let zT = base.outputColumns[li], let xT = base.inputColumns[li] else { return nil }
        if block.slotIndex == 0 {
            j = local / dense.inputSize
            let k = local % dense.inputSize
            zT.withUnsafeBufferPointer { zp in
                xT.withUnsafeBufferPointer { xp in
                    column.withUnsafeMutableBufferPointer { cp in
                        Scalar.stridedAxpy(
                            count: m, alpha: delta, x: xp.baseAddress! + k * m, xStride: 1,
                            y: zp.baseAddress! + j * m, yStride: 1, out: cp.baseAddress!, outStride: 1)
                    }
                }
            }
        } else {
            j = local
            let one = Tensor<Scalar>(ones: [1])
            zT.withUnsafeBufferPointer { zp in
                one.withUnsafeBufferPointer { op in
                    column.withUnsafeMutableBufferPointer { cp in
                        Scalar.stridedAxpy(
                            count: m, alpha: delta, x: op.baseAddress!, xStride: 0,
                            y: zp.baseAddress! + j * m, yStride: 1, out: cp.baseAddress!, outStride: 1)
                    }
                }
            }
        }

        // Carry the column through element-wise layers.
        var crossed = false
        var next = li + 1
        var context = ForwardContext(mode: .evaluation)
        while next < model.layers.count,
            model.layers[next] is any ElementwiseActivation
                || model.layers[next] is Dropout<Scalar>
        {
            let layer = model.layers[next]
            let kinks = layer.kinks
            if case .elementwise = kinks {
                let baseInput = base.outputColumns[next - 1]?.scalars ?? []
                for r in 0..<m where kinks.branch(column.scalars[r]) != kinks.branch(baseInput[j * m + r]) {
                    crossed = true; break
                }
            }
            column = layer.forward(column, context: &context).output
            next += 1
        }

        // The tensor entering layer `next`.
        var activations: Tensor<Scalar>
        let previous = base.tapes[next - 1].output
        if next < model.layers.count, let following = model.layers[next] as? Dense<Scalar> {
            // Rank-1 update of the next dense layer's pre-activation: Δz = d·wⱼᵀ with
            // d = Δa[:, j] and wⱼ = column j of the next weight, row by row (rows where d = 0 are skipped).
            activations = base.tapes[next].output
            let w = following.weight
            let (outs, ins) = (w.shape[0], w.shape[1])
            guard let previousT = base.outputColumns[next - 1] else { return nil }
            var wj = Tensor<Scalar>(zeros: [outs])
            w.withUnsafeBufferPointer { wp in
                wj.withUnsafeMutableBufferPointer { jp in
                    Scalar.stridedAxpy(
                        count: outs, alpha: 0, x: wp.baseAddress! + j, xStride: ins,
                        y: wp.baseAddress! + j, yStride: ins, out: jp.baseAddress!, outStride: 1)
                }
            }
            // z[r, :] += d[r]·wⱼᵀ for the rows whose activation changed.
            column.withUnsafeBufferPointer { cp in
                previousT.withUnsafeBufferPointer { ap in
                    wj.withUnsafeBufferPointer { jp in
                        activations.withUnsafeMutableBufferPointer { zp in
                            Scalar.addDifferenceOuterProduct(
                                rows: m, a: cp.baseAddress!, b: ap.baseAddress! + j * m,
                                w: jp, into: zp.baseAddress!)
                        }
                    }
                }
            }
            next += 1
        } else {
            activations = previous
            column.withUnsafeBufferPointer { cp in
                activations.withUnsafeMutableBufferPointer { ap in
                    Scalar.stridedAxpy(
                        count: m, alpha: 0, x: cp.baseAddress!, xStride: 1,
                        y: cp.baseAddress!, yStride: 1, out: ap.baseAddress! + j, outStride: outWidth)
                }
            }
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
        let dataLoss = model.loss.value(x, targets: problem.targets)
        var reg = base.regularization
        if model.regularization.covers(block.role), model.regularization.lambda != 0 {
            let o = Double(oldValue), n = Double(newValue)
            reg += model.regularization.cost(sumOfSquares: n * n - o * o, examples: m)  // the change of λ/(2m)·Σθ²
        }
        return Sample(value: dataLoss + reg, structure: crossed ? 1 : 0)
    }
}
