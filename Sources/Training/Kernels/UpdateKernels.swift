import Foundation
import TensorCore

/// The optimizers' per-element updates on raw buffers, specialised for `Float` and `Double`.
/// Hyperparameters arrive as `Double` and are rounded once to the element type.
/// The formulas are documented on the optimizers that call them.
///
/// Updates of large blocks are split into contiguous chunks run on all cores
/// (``ParallelChunks``; they are memory-bound: a momentum step reads and writes five arrays
/// the size of the weights), so results do not depend on the thread count.
enum UpdateKernels {
    /// w ← w − η·g.
    static func sgd<S: TensorScalar>(
        _ w: UnsafeMutablePointer<S>, _ g: UnsafePointer<S>, count: Int, learningRate: Double
    ) {
        switch ConcreteScalar.of(S.self) {
        case .float: sgd(w.rebound(to: Float.self), g.rebound(to: Float.self), count, Float(learningRate))
        case .double: sgd(w.rebound(to: Double.self), g.rebound(to: Double.self), count, learningRate)
        case .other: sgd(w, g, count, S(learningRate))
        }
    }

    static func sgd<T: TensorScalar>(_ w: UnsafeMutablePointer<T>, _ g: UnsafePointer<T>, _ n: Int, _ lr: T) {
        ParallelChunks.run(n) { o, c in
            let (w, g) = (w + o, g + o)
            for i in 0..<c { w[i] -= lr * g[i] }
        }
    }

    /// v ← μv − η·g, then w ← w + v (classical momentum), or w ← w + μv − η·g (Nesterov).
    static func momentum<S: TensorScalar>(
        _ w: UnsafeMutablePointer<S>, _ v: UnsafeMutablePointer<S>, _ g: UnsafePointer<S>,
        count: Int, learningRate: Double, momentum: Double, nesterov: Bool
    ) {
        switch ConcreteScalar.of(S.self) {
        case .float:
            momentumLoop(
                w.rebound(to: Float.self), v.rebound(to: Float.self), g.rebound(to: Float.self), count,
                Float(learningRate), Float(momentum), nesterov)
        case .double:
            momentumLoop(
                w.rebound(to: Double.self), v.rebound(to: Double.self), g.rebound(to: Double.self), count,
                learningRate, momentum, nesterov)
        case .other: momentumLoop(w, v, g, count, S(learningRate), S(momentum), nesterov)
        }
    }

    static func momentumLoop<T: TensorScalar>(
        _ w: UnsafeMutablePointer<T>, _ v: UnsafeMutablePointer<T>, _ g: UnsafePointer<T>,
        _ n: Int, _ lr: T, _ mu: T, _ nesterov: Bool
    ) {
        ParallelChunks.run(n) { o, c in momentumChunk(w + o, v + o, g + o, c, lr, mu, nesterov) }
    }

    static func momentumChunk<T: TensorScalar>(
        _ w: UnsafeMutablePointer<T>, _ v: UnsafeMutablePointer<T>, _ g: UnsafePointer<T>,
        _ n: Int, _ lr: T, _ mu: T, _ nesterov: Bool
    ) {
        if nesterov {
            for i in 0..<n {
                let step = lr * g[i]
                let velocity = mu * v[i] - step
                v[i] = velocity
                w[i] += mu * velocity - step
            }
        } else {
            for i in 0..<n {
                let velocity = mu * v[i] - lr * g[i]
                v[i] = velocity
                w[i] += velocity
            }
        }
    }

    /// m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; w ← w − α·m/(√v + ε̂), where the caller
    /// folds Adam's bias corrections into α = η·√(1 − β₂ᵗ)/(1 − β₁ᵗ) and ε̂ = ε·√(1 − β₂ᵗ)
    /// (Kingma & Ba 2015, the efficient form at the end of their Section 2).
    static func adam<S: TensorScalar>(
        _ w: UnsafeMutablePointer<S>, _ m: UnsafeMutablePointer<S>, _ v: UnsafeMutablePointer<S>,
        _ g: UnsafePointer<S>, count: Int, alpha: Double, beta1: Double, beta2: Double, epsilon: Double
    ) {
        switch ConcreteScalar.of(S.self) {
        case .float:
            adam(
                w.rebound(to: Float.self), m.rebound(to: Float.self), v.rebound(to: Float.self),
                g.rebound(to: Float.self),
                count, Float(alpha), Float(beta1), Float(beta2), Float(epsilon))
        case .double:
            adam(
                w.rebound(to: Double.self), m.rebound(to: Double.self), v.rebound(to: Double.self),
                g.rebound(to: Double.self),
                count, alpha, beta1, beta2, epsilon)
        case .other: adam(w, m, v, g, count, S(alpha), S(beta1), S(beta2), S(epsilon))
        }
    }

    static func adam<T: TensorScalar>(
        _ w: UnsafeMutablePointer<T>, _ m: UnsafeMutablePointer<T>, _ v: UnsafeMutablePointer<T>,
        _ g: UnsafePointer<T>, _ n: Int, _ alpha: T, _ b1: T, _ b2: T, _ eps: T
    ) {
        ParallelChunks.run(n) { o, c in adamChunk(w + o, m + o, v + o, g + o, c, alpha, b1, b2, eps) }
    }

    static func adamChunk<T: TensorScalar>(
        _ w: UnsafeMutablePointer<T>, _ m: UnsafeMutablePointer<T>, _ v: UnsafeMutablePointer<T>,
        _ g: UnsafePointer<T>, _ n: Int, _ alpha: T, _ b1: T, _ b2: T, _ eps: T
    ) {
        for i in 0..<n {
            let gi = g[i]
            let mi = b1 * m[i] + (1 - b1) * gi
            let vi = b2 * v[i] + (1 - b2) * gi * gi
            m[i] = mi; v[i] = vi
            w[i] -= alpha * mi / (vi.squareRoot() + eps)
        }
    }

    /// y ← y + a·x.
    static func axpy<S: TensorScalar>(_ a: Double, _ x: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>, count: Int) {
        switch ConcreteScalar.of(S.self) {
        case .float: axpy(Float(a), x.rebound(to: Float.self), y.rebound(to: Float.self), count)
        case .double: axpy(a, x.rebound(to: Double.self), y.rebound(to: Double.self), count)
        case .other: axpy(S(a), x, y, count)
        }
    }

    static func axpy<T: TensorScalar>(_ a: T, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int) {
        ParallelChunks.run(n) { o, c in
            let (x, y) = (x + o, y + o)
            for i in 0..<c { y[i] += a * x[i] }
        }
    }

    /// x ← a·x.
    static func scale<S: TensorScalar>(_ x: UnsafeMutablePointer<S>, by a: Double, count: Int) {
        switch ConcreteScalar.of(S.self) {
        case .float: scale(x.rebound(to: Float.self), Float(a), count)
        case .double: scale(x.rebound(to: Double.self), a, count)
        case .other: scale(x, S(a), count)
        }
    }

    static func scale<T: TensorScalar>(_ x: UnsafeMutablePointer<T>, _ a: T, _ n: Int) {
        ParallelChunks.run(n) { o, c in
            let x = x + o
            for i in 0..<c { x[i] *= a }
        }
    }
}
