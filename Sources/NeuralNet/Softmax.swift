import TensorCore

/// Row-wise softmax sᵢ = e^(xᵢ − max x) / Σⱼ e^(xⱼ − max x) over the last dimension.
///
/// Its Jacobian is J = diag(s) − s·sᵀ, so the exact vector-Jacobian product for an incoming
/// gradient g is gᵀJ = s ⊙ (g − ⟨g, s⟩), per row. (Dropping the −s·sᵀ term, i.e. using
/// g ⊙ s(1 − s), is the classic "diagonal-only" mistake.)
public struct Softmax<Scalar: TensorScalar>: Layer {
    public init() {}
    public var kind: String { "softmax" }

    public func outputShape(forInput inputShape: [Int]) -> Result<[Int], ShapeMismatch> {
        inputShape.count == 1
            ? .success(inputShape)
            : .failure(ShapeMismatch("softmax needs a flat feature vector per example, got \(inputShape)"))
    }

    /// Softmax of each row, shifted by the row maximum so that e^x cannot overflow.
    public static func rows(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        precondition(x.rank == 2, "softmax needs a rank-2 tensor, shape is \(x.shape)")
        let n = x.shape[1]
        var s = x
        s.withUnsafeMutableBufferPointer { p in
            var base = 0
            while base < p.count {
                var m = -Scalar.infinity
                for j in 0..<n { m = Swift.max(m, p[base + j]) }
                var total: Scalar = 0
                for j in 0..<n { let e = Scalar.exp(p[base + j] - m); p[base + j] = e; total += e }
                for j in 0..<n { p[base + j] /= total }
                base += n
            }
        }
        return s
    }

    public func forward(_ input: Tensor<Scalar>, context: inout ForwardContext) -> LayerTape<Scalar> {
        LayerTape(input: input, output: Softmax.rows(input))
    }

    public func backward(
        _ outputGradient: Tensor<Scalar>, tape: LayerTape<Scalar>,
        parameterGradients: inout [Tensor<Scalar>]
    ) -> Tensor<Scalar> {
        Softmax.vectorJacobianProduct(outputGradient, softmax: tape.output)
    }

    /// s ⊙ (g − ⟨g, s⟩) per row.
    public static func vectorJacobianProduct(_ g: Tensor<Scalar>, softmax s: Tensor<Scalar>) -> Tensor<Scalar> {
        precondition(g.shape == s.shape && s.rank == 2, "softmax VJP: gradient \(g.shape), output \(s.shape)")
        let n = s.shape[1]
        var out = g
        out.withUnsafeMutableBufferPointer { o in
            s.withUnsafeBufferPointer { sp in
                var base = 0
                while base < o.count {
                    var dot: Scalar = 0
                    for j in 0..<n { dot += o[base + j] * sp[base + j] }
                    for j in 0..<n { o[base + j] = sp[base + j] * (o[base + j] - dot) }
                    base += n
                }
            }
        }
        return out
    }
}
