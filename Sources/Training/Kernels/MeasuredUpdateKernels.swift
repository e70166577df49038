import TensorCore

/// SGD and momentum steps that also take a monitor reading's sums (``WeightChange``) in the
/// same pass over the weights. Each element is updated by exactly the expression of
/// `UpdateKernels.sgd` / `UpdateKernels.momentum`, so a measured step changes no bits; the sums
/// are accumulated like `ReductionKernels` (Float: sixteen-lane partial sums over blocks of
/// 512 elements, each block added into a Double; chunks for the cores start on block
/// boundaries).
enum MeasuredUpdateKernels {
    /// w ← w − η·g.
    static func sgd<S: TensorScalar>(
        _ w: UnsafeMutablePointer<S>, _ g: UnsafePointer<S>, count: Int, learningRate: Double
    ) -> WeightChange {
        step(w, nil, g, count: count, learningRate: learningRate, momentum: 0, rule: .sgd)
    }

    /// v ← μv − η·g, then w ← w + v (classical), or w ← w + μv − η·g (Nesterov).
    static func momentum<S: TensorScalar>(
        _ w: UnsafeMutablePointer<S>, _ v: UnsafeMutablePointer<S>, _ g: UnsafePointer<S>,
        count: Int, learningRate: Double, momentum: Double, nesterov: Bool
    ) -> WeightChange {
        step(
            w, v, g, count: count, learningRate: learningRate, momentum: momentum,
            rule: nesterov ? .nesterov : .classical)
    }

    static func step<S: TensorScalar>(
        _ w: UnsafeMutablePointer<S>, _ v: UnsafeMutablePointer<S>?, _ g: UnsafePointer<S>,
        count: Int, learningRate: Double, momentum: Double, rule: Rule
    ) -> WeightChange {
        inChunks(count) { o, c in
            switch ConcreteScalar.of(S.self) {
            case .float:
                floatStep(
                    w.rebound(to: Float.self) + o, v.map { $0.rebound(to: Float.self) + o },
                    g.rebound(to: Float.self) + o, c,
                    lr: Float(learningRate), mu: Float(momentum), rule: rule)
            case .double:
                scalarStep(
                    w.rebound(to: Double.self) + o, v.map { $0.rebound(to: Double.self) + o },
                    g.rebound(to: Double.self) + o, c,
                    lr: learningRate, mu: momentum, rule: rule)
            case .other:
                scalarStep(w + o, v.map { $0 + o }, g + o, c, lr: S(learningRate), mu: S(momentum), rule: rule)
            }
        }
    }

    enum Rule { case sgd, classical, nesterov }

    /// `body(offset, count)` over block-aligned chunks on all cores when large (``ReductionKernels/inChunks(_:zero:_:_:)``).
    static func inChunks(_ count: Int, _ body: (Int, Int) -> WeightChange) -> WeightChange {
        ReductionKernels.inChunks(count, zero: WeightChange(), +, body)
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> SIMD16<Float> { ReductionKernels.load(p) }

    @inline(__always)
    static func store(_ x: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: x, as: SIMD16<Float>.self)
    }

    @inline(__always)
    static func absolute(_ x: SIMD16<Float>) -> SIMD16<Float> { ReductionKernels.absolute(x) }

    static func floatStep(
        _ w: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>?, _ g: UnsafePointer<Float>, _ n: Int,
        lr: Float, mu: Float, rule: Rule
    ) -> WeightChange {
        var total = WeightChange()
        var start = 0
        while start < n {
            let end = Swift.min(start + ReductionKernels.block, n)
            var sa = SIMD16<Float>(), ss = SIMD16<Float>(), sw = SIMD16<Float>(), sg = SIMD16<Float>()
            var i = start
            while i + 16 <= end {
                let gi = load(g + i), old = load(w + i)
                let new: SIMD16<Float>
                switch rule {
                case .sgd:
                    new = old - lr * gi
                case .classical:
                    let velocity = mu * load(v! + i) - lr * gi
                    store(velocity, v! + i)
                    new = old + velocity
                case .nesterov:
                    let step = lr * gi
                    let velocity = mu * load(v! + i) - step
                    store(velocity, v! + i)
                    new = old + (mu * velocity - step)
                }
                store(new, w + i)
                let d = new - old
                sa += absolute(d); ss += d * d; sw += new * new; sg += gi * gi
                i += 16
            }
            var part = WeightChange(
                absoluteChange: Double(sa.sum()), squaredChange: Double(ss.sum()),
                weightSquares: Double(sw.sum()), gradientSquares: Double(sg.sum()))
            if i < end {
                part = part + scalarStep(w + i, v.map { $0 + i }, g + i, end - i, lr: lr, mu: mu, rule: rule)
            }
            total = total + part
            start = end
        }
        return total
    }

    static func scalarStep<T: TensorScalar>(
        _ w: UnsafeMutablePointer<T>, _ v: UnsafeMutablePointer<T>?, _ g: UnsafePointer<T>, _ n: Int,
        lr: T, mu: T, rule: Rule
    ) -> WeightChange {
        var total = WeightChange()
        for i in 0..<n {
            let gi = g[i], old = w[i]
            let new: T
            switch rule {
            case .sgd:
                new = old - lr * gi
            case .classical:
                let velocity = mu * v![i] - lr * gi
                v![i] = velocity
                new = old + velocity
            case .nesterov:
                let step = lr * gi
                let velocity = mu * v![i] - step
                v![i] = velocity
                new = old + (mu * velocity - step)
            }
            w[i] = new
            let d = Double(new - old)
            total.absoluteChange += Swift.abs(d); total.squaredChange += d * d
            total.weightSquares += Double(new) * Double(new); total.gradientSquares += Double(gi) * Double(gi)
        }
        return total
    }
}
