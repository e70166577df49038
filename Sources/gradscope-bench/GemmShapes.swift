import TensorCore

/// One benchmarked product: C (m×n) = op(A)·op(B).
struct GemmShape: Sendable {
    var name: String
    var m: Int, n: Int, k: Int
    var transA: Transpose, transB: Transpose

    var flops: Double { 2 * Double(m) * Double(n) * Double(k) }

    /// Square products and one training step of the MLP 784→1000→750→500→10
    /// at batch 100: per layer (in→out) the forward X·Wᵀ (X batch×in,
    /// W out×in), the input gradient dY·W and the weight gradient dYᵀ·X.
    static func all(quick: Bool) -> [GemmShape] {
        var shapes: [GemmShape] = []
        for s in quick ? [256, 1024] : [256, 512, 1024, 2048] {
            shapes.append(GemmShape(name: "square \(s)", m: s, n: s, k: s, transA: .none, transB: .none))
        }
        let widths = [784, 1000, 750, 500, 10]
        let batch = 100
        for l in 0..<(widths.count - 1) {
            let (i, o) = (widths[l], widths[l + 1])
            let tag = "L\(l + 1) \(i)→\(o)"
            shapes.append(GemmShape(name: "\(tag) fwd X·Wᵀ", m: batch, n: o, k: i, transA: .none, transB: .transposed))
            shapes.append(GemmShape(name: "\(tag) dX dY·W", m: batch, n: i, k: o, transA: .none, transB: .none))
            shapes.append(GemmShape(name: "\(tag) dW dYᵀ·X", m: o, n: i, k: batch, transA: .transposed, transB: .none))
        }
        return shapes
    }
}
