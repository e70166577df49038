import TensorCore

/// Softmax cross-entropy on logits with class-index targets, fused on raw buffers; the same
/// arithmetic as NeuralNet's `SoftmaxCrossEntropy` (whose documentation derives it):
/// ℓᵢ = log Σₖ e^(zᵢₖ − maxᵢ) + maxᵢ − zᵢ,yᵢ, L = (1/m) Σ ℓᵢ in `Double`, and
/// ∂L/∂z = (softmax(z) − onehot(y))/m written to `gradient` (which may be `nil`).
enum LossKernels {
    static func softmaxCrossEntropy<S: TensorScalar>(
        _ z: UnsafePointer<S>, rows m: Int, classes k: Int, labels: [Int],
        gradient: UnsafeMutablePointer<S>?
    ) -> Double {
        switch ConcreteScalar.of(S.self) {
        case .float: softmaxCE(z.rebound(to: Float.self), m, k, labels, gradient?.rebound(to: Float.self))
        case .double: softmaxCE(z.rebound(to: Double.self), m, k, labels, gradient?.rebound(to: Double.self))
        case .other: softmaxCE(z, m, k, labels, gradient)
        }
    }

    static func softmaxCE<T: TensorScalar>(
        _ z: UnsafePointer<T>, _ m: Int, _ k: Int, _ labels: [Int],
        _ gradient: UnsafeMutablePointer<T>?
    ) -> Double {
        var total = 0.0
        let mT = T(m)
        for i in 0..<m {
            let row = z + i * k
            var maxZ = -Double.infinity
            for j in 0..<k { maxZ = Swift.max(maxZ, Double(row[j])) }
            var sumExp = 0.0
            for j in 0..<k { sumExp += Double.exp(Double(row[j]) - maxZ) }
            let y = labels[i]
            total += maxZ + Double.log(sumExp) - Double(row[y])
            if let g = gradient.map({ $0 + i * k }) {
                // The softmax itself in T, shifted by the row maximum, as `Softmax.rows` does.
                let shift = T(maxZ)
                var t: T = 0
                for j in 0..<k { let e = T.exp(row[j] - shift); g[j] = e; t += e }
                for j in 0..<k { g[j] = (g[j] / t - (j == y ? 1 : 0)) / mT }
            }
        }
        return total / Double(m)
    }

    /// The number of rows whose largest entry (first on ties) is at the row's label.
    static func correctCount<S: TensorScalar>(_ z: UnsafePointer<S>, rows m: Int, classes k: Int, labels: [Int]) -> Int
    {
        switch ConcreteScalar.of(S.self) {
        case .float: correct(z.rebound(to: Float.self), m, k, labels)
        case .double: correct(z.rebound(to: Double.self), m, k, labels)
        case .other: correct(z, m, k, labels)
        }
    }

    static func correct<T: TensorScalar>(_ z: UnsafePointer<T>, _ m: Int, _ k: Int, _ labels: [Int]) -> Int {
        var count = 0
        for i in 0..<m {
            let row = z + i * k
            var best = 0
            for j in 1..<Swift.max(k, 1) where row[j] > row[best] { best = j }
            if best == labels[i] { count += 1 }
        }
        return count
    }
}
