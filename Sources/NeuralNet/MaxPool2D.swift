import TensorCore

/// Max pooling over `[N, C, H, W]` with a square window and stride (default: the window),
/// no padding. Backward routes each output gradient to the input element that won the max
/// (the first one on ties); the winners are recorded in the tape.
public struct MaxPool2D<Scalar: TensorScalar>: Layer {
    public var size: Int
    public var stride: Int

    public init(size: Int, stride: Int? = nil) {
        precondition(
            size > 0 && (stride ?? size) > 0,
            "MaxPool2D: size \(size) and stride \(String(describing: stride)) must be positive")
        self.size = size; self.stride = stride ?? size
    }

    public var kind: String { "maxpool2d" }
    public var kinks: LayerKinks { .selection }

    public func outputShape(forInput s: [Int]) -> Result<[Int], ShapeMismatch> {
        guard s.count == 3, s[1] >= size, s[2] >= size else {
            return .failure(
                ShapeMismatch("expects [channels, height ≥ \(size), width ≥ \(size)] per example, got \(s)"))
        }
        return .success([s[0], (s[1] - size) / stride + 1, (s[2] - size) / stride + 1])
    }

    public func forward(_ input: Tensor<Scalar>, context: inout ForwardContext) -> LayerTape<Scalar> {
        precondition(input.rank == 4, "MaxPool2D.forward: input \(input.shape) is not [N, C, H, W]")
        let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let (oh, ow) = ((h - size) / stride + 1, (w - size) / stride + 1)
        var out = [Scalar](repeating: 0, count: n * c * oh * ow)
        var winners = [Int](repeating: 0, count: out.count)
        input.withUnsafeBufferPointer { x in
            var o = 0
            for plane in 0..<(n * c) {
                let base = plane * h * w
                for i in 0..<oh {
                    for j in 0..<ow {
                        var best = base + (i * stride) * w + j * stride
                        for u in 0..<size {
                            for v in 0..<size {
                                let idx = base + (i * stride + u) * w + j * stride + v
                                if x[idx] > x[best] { best = idx }
                            }
                        }
                        out[o] = x[best]; winners[o] = best; o += 1
                    }
                }
            }
        }
        var tape = LayerTape(input: input, output: Tensor(shape: [n, c, oh, ow], scalars: out))
        tape.indices = winners
        return tape
    }

    public func backward(
        _ outputGradient: Tensor<Scalar>, tape: LayerTape<Scalar>,
        parameterGradients: inout [Tensor<Scalar>]
    ) -> Tensor<Scalar> {
        precondition(
            outputGradient.shape == tape.output.shape,
            "MaxPool2D.backward: gradient \(outputGradient.shape), output \(tape.output.shape)")
        var dx = Tensor<Scalar>(zeros: tape.input.shape)
        for (o, winner) in tape.indices.enumerated() { dx[flat: winner] += outputGradient.scalars[o] }
        return dx
    }
}
