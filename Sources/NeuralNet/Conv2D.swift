import TensorCore

/// 2-D cross-correlation over inputs `[N, C, H, W]` with a kernel `[outC, C, kH, kW]`, a bias
/// `[outC]`, a stride and zero padding, as in PyTorch's `nn.Conv2d`:
///
///   Y[n, o, i, j] = b[o] + Σ_{c,u,v} K[o, c, u, v] · X[n, c, s·i + u − p, s·j + v − p],
///   H′ = ⌊(H + 2p − kH)/s⌋ + 1.
///
/// Implemented with im2col (Chellapilla et al. 2006) and the GEMM kernels: per example,
/// Y = K̂·cols with K̂ the kernel as an `[outC, C·kH·kW]` matrix. Backward:
/// ∂L/∂K̂ = Σₙ δₙ·colsₙᵀ, ∂L/∂b = Σ δ over n, i, j, and ∂L/∂X = col2im(K̂ᵀ·δₙ) — the
/// "full convolution with the flipped kernel" of textbook derivations.
public struct Conv2D<Scalar: TensorScalar>: Layer {
    public var kernel: Tensor<Scalar>
    public var bias: Tensor<Scalar>
    public var stride: Int
    public var padding: Int

    public init(inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0) {
        precondition(
            inputChannels > 0 && outputChannels > 0 && kernelSize > 0 && stride > 0 && padding >= 0,
            "Conv2D: invalid configuration in=\(inputChannels) out=\(outputChannels) k=\(kernelSize) s=\(stride) p=\(padding)"
        )
        kernel = Tensor(zeros: [outputChannels, inputChannels, kernelSize, kernelSize])
        bias = Tensor(zeros: [outputChannels])
        self.stride = stride; self.padding = padding
    }

    public var kind: String { "conv2d" }
    var outputChannels: Int { kernel.shape[0] }
    var inputChannels: Int { kernel.shape[1] }
    var kernelHeight: Int { kernel.shape[2] }
    var kernelWidth: Int { kernel.shape[3] }

    public var parameterSlots: [ParameterSlot] {
        [
            ParameterSlot(name: "kernel", shape: kernel.shape, role: .kernel),
            ParameterSlot(name: "bias", shape: bias.shape, role: .bias)
        ]
    }

    public var parameters: [Tensor<Scalar>] {
        get { [kernel, bias] }
        set {
            precondition(
                newValue.count == 2 && newValue[0].shape == kernel.shape && newValue[1].shape == bias.shape,
                "Conv2D: parameters \(newValue.map(\.shape)) do not match \([kernel.shape, bias.shape])")
            kernel = newValue[0]; bias = newValue[1]
        }
    }

    /// In place: an optimizer step touches the stored tensor without copying it.
    public mutating func updateParameter(_ slot: Int, _ body: (inout Tensor<Scalar>) -> Void) {
        precondition(slot == 0 || slot == 1, "Conv2D has parameter slots 0 (kernel) and 1 (bias), got \(slot)")
        let shape = slot == 0 ? kernel.shape : bias.shape
        if slot == 0 { body(&kernel) } else { body(&bias) }
        precondition(
            (slot == 0 ? kernel.shape : bias.shape) == shape,
            "Conv2D.updateParameter changed the shape of slot \(slot) from \(shape)")
    }

    func outputSize(_ h: Int, _ w: Int) -> (Int, Int) {
        ((h + 2 * padding - kernelHeight) / stride + 1, (w + 2 * padding - kernelWidth) / stride + 1)
    }

    public func outputShape(forInput s: [Int]) -> Result<[Int], ShapeMismatch> {
        guard s.count == 3, s[0] == inputChannels else {
            return .failure(ShapeMismatch("expects [channels=\(inputChannels), height, width] per example, got \(s)"))
        }
        guard s[1] + 2 * padding >= kernelHeight, s[2] + 2 * padding >= kernelWidth else {
            return .failure(
                ShapeMismatch(
                    "image \(s[1])×\(s[2]) with padding \(padding) is smaller than the kernel \(kernelHeight)×\(kernelWidth)"
                ))
        }
        let (h, w) = outputSize(s[1], s[2])
        return .success([outputChannels, h, w])
    }

    /// The im2col matrix `[C·kH·kW, H′·W′]` of one example starting at `x[offset...]`.
    func im2col(
        _ x: UnsafeBufferPointer<Scalar>, offset: Int, height: Int, width: Int,
        into cols: UnsafeMutableBufferPointer<Scalar>
    ) {
        let (oh, ow) = outputSize(height, width)
        var row = 0
        for c in 0..<inputChannels {
            for u in 0..<kernelHeight {
                for v in 0..<kernelWidth {
                    for i in 0..<oh {
                        let y = i * stride + u - padding
                        for j in 0..<ow {
                            let xx = j * stride + v - padding
                            cols[row * oh * ow + i * ow + j] =
                                (y >= 0 && y < height && xx >= 0 && xx < width)
                                ? x[offset + (c * height + y) * width + xx] : 0
                        }
                    }
                    row += 1
                }
            }
        }
    }

    /// Adds the im2col-shaped gradient back onto the image gradient (the adjoint of im2col).
    func col2im(
        _ cols: UnsafeBufferPointer<Scalar>, height: Int, width: Int,
        into dx: UnsafeMutableBufferPointer<Scalar>, offset: Int
    ) {
        let (oh, ow) = outputSize(height, width)
        var row = 0
        for c in 0..<inputChannels {
            for u in 0..<kernelHeight {
                for v in 0..<kernelWidth {
                    for i in 0..<oh {
                        let y = i * stride + u - padding
                        guard y >= 0 && y < height else { continue }
                        for j in 0..<ow {
                            let xx = j * stride + v - padding
                            if xx >= 0 && xx < width {
                                dx[offset + (c * height + y) * width + xx] += cols[row * oh * ow + i * ow + j]
                            }
                        }
                    }
                    row += 1
                }
            }
        }
    }

    public func forward(_ input: Tensor<Scalar>, context: inout ForwardContext) -> LayerTape<Scalar> {
        precondition(
            input.rank == 4 && input.shape[1] == inputChannels,
            "Conv2D.forward: input \(input.shape), kernel \(kernel.shape)")
        let (n, h, w) = (input.shape[0], input.shape[2], input.shape[3])
        let (oh, ow) = outputSize(h, w)
        let k = inputChannels * kernelHeight * kernelWidth
        let p = oh * ow
        var cols = Tensor<Scalar>(zeros: [n, k, p])
        var out = Tensor<Scalar>(zeros: [n, outputChannels, oh, ow])
        input.withUnsafeBufferPointer { x in
            cols.withUnsafeMutableBufferPointer { cp in
                for e in 0..<n {
                    im2col(
                        x, offset: e * inputChannels * h * w, height: h, width: w,
                        into: UnsafeMutableBufferPointer(rebasing: cp[(e * k * p)..<((e + 1) * k * p)]))
                }
            }
        }
        kernel.withUnsafeBufferPointer { kp in
            cols.withUnsafeBufferPointer { cp in
                out.withUnsafeMutableBufferPointer { op in
                    for e in 0..<n {
                        let o = op.baseAddress! + e * outputChannels * p
                        for ch in 0..<outputChannels {
                            for q in 0..<p { o[ch * p + q] = bias.scalars[ch] }
                        }
                        Scalar.gemm(
                            .none, .none, m: outputChannels, n: p, k: k, alpha: 1,
                            a: kp.baseAddress!, lda: k, b: cp.baseAddress! + e * k * p, ldb: p,
                            beta: 1, c: o, ldc: p)
                    }
                }
            }
        }
        var tape = LayerTape(input: input, output: out)
        tape.auxiliary = [cols]
        return tape
    }

    public func backward(
        _ outputGradient: Tensor<Scalar>, tape: LayerTape<Scalar>,
        parameterGradients g: inout [Tensor<Scalar>]
    ) -> Tensor<Scalar> {
        inputGradient(outputGradient, tape: tape, kernel: kernel, parameterGradients: &g)
    }

    /// The backward pass with the kernel used for ∂L/∂X passed explicitly (the bug zoo passes
    /// an unflipped one to show what that mistake looks like).
    public func inputGradient(
        _ dy: Tensor<Scalar>, tape: LayerTape<Scalar>, kernel usedKernel: Tensor<Scalar>,
        parameterGradients g: inout [Tensor<Scalar>]
    ) -> Tensor<Scalar> {
        precondition(
            dy.shape == tape.output.shape, "Conv2D.backward: gradient \(dy.shape), output \(tape.output.shape)")
        let input = tape.input
        let (n, h, w) = (input.shape[0], input.shape[2], input.shape[3])
        let k = inputChannels * kernelHeight * kernelWidth
        let p = dy.shape[2] * dy.shape[3]
        let cols = tape.auxiliary[0]
        var dx = Tensor<Scalar>(zeros: input.shape)
        var dcols = [Scalar](repeating: 0, count: k * p)
        dy.withUnsafeBufferPointer { dp in
            cols.withUnsafeBufferPointer { cp in
                g[0].withUnsafeMutableBufferPointer { gk in
                    usedKernel.withUnsafeBufferPointer { kp in
                        dx.withUnsafeMutableBufferPointer { dxp in
                            for e in 0..<n {
                                let d = dp.baseAddress! + e * outputChannels * p
                                Scalar.gemm(
                                    .none, .transposed, m: outputChannels, n: k, k: p, alpha: 1,
                                    a: d, lda: p, b: cp.baseAddress! + e * k * p, ldb: p,
                                    beta: 1, c: gk.baseAddress!, ldc: k)
                                dcols.withUnsafeMutableBufferPointer { dc in
                                    Scalar.gemm(
                                        .transposed, .none, m: k, n: p, k: outputChannels, alpha: 1,
                                        a: kp.baseAddress!, lda: k, b: d, ldb: p,
                                        beta: 0, c: dc.baseAddress!, ldc: p)
                                    col2im(
                                        UnsafeBufferPointer(dc), height: h, width: w,
                                        into: dxp, offset: e * inputChannels * h * w)
                                }
                            }
                        }
                    }
                }
            }
        }
        for e in 0..<n {
            for ch in 0..<outputChannels {
                var s: Scalar = 0
                for q in 0..<p { s += dy.scalars[(e * outputChannels + ch) * p + q] }
                g[1][flat: ch] += s
            }
        }
        return dx
    }
}
