import TensorCore

/// SGD and momentum steps that also take a monitor reading's sums (``WeightChange``) in the
/// same pass over the weights. Each element is updated by exactly the expression of
/// `UpdateKernels.sgd` / `UpdateKernels.momentum`, so a measured step changes no bits; the sums
/// are accumulated like `ReductionKernels` (Float: sixteen-lane partial sums over blocks of
/// 512 elements, each block added into a Double; chunks for the cores start on block
/// boundaries).
enum MeasuredUpdateKernels {
    /// w ← w − η·g.
    static func sgd<S: TensorScalar>(_ w: UnsafeMutablePointer<S>, _ g: UnsafePointer<S>, count: Int, learningRate: Double) -> WeightChange {
        let (wp, gp) = (UncheckedSendable(w), UncheckedSendable(g))
        return inChunks(count) { o, c in
            switch ConcreteScalar.of(S.self) {
            case .float:
                return floatStep(wp.value.rebound(to: Float.self) + o, nil, gp.value.rebound(to: Float.self) + o, c,
                                 lr: Float(learningRate), mu: 0, rule: .sgd)
            case .double:
                return scalarStep(wp.value.rebound(to: Double.self) + o, nil, gp.value.rebound(to: Double.self) + o, c,
                                  lr: learningRate, mu: 0, rule: .sgd)
            case .other:
                return scalarStep(wp.value + o, nil, gp.value + o, c, lr: S(learningRate), mu: 0, rule: .sgd)
            }
        }
    }

    /// v ← μv − η·g, then w ← w + v (classical), or w ← w + μv − η·g (Nesterov).
    static func momentum<S: TensorScalar>(_ w: UnsafeMutablePointer<S>, _ v: UnsafeMutablePointer<S>, _ g: UnsafePointer<S>,
                                          count: Int, learningRate: Double, momentum: Double, nesterov: Bool) -> WeightChange {
        let (wp, vp, gp) = (UncheckedSendable(w), UncheckedSendable(v), UncheckedSendable(g))
        let rule: Rule = nesterov ? .nesterov : .classical
        return inChunks(count) { o, c in
            switch ConcreteScalar.of(S.self) {
            case .float:
                return floatStep(wp.value.rebound(to: Float.self) + o, vp.value.rebound(to: Float.self) + o,
                                 gp.value.rebound(to: Float.self) + o, c, lr: Float(learningRate), mu: Float(momentum), rule: rule)
            case .double:
                return scalarStep(wp.value.rebound(to: Double.self) + o, vp.value.rebound(to: Double.self) + o,
                                  gp.value.rebound(to: Double.self) + o, c, lr: learningRate, mu: momentum, rule: rule)
            case .other:
                return scalarStep(wp.value + o, vp.value + o, gp.value + o, c, lr: S(learningRate), mu: S(momentum), rule: rule)
            }
        }
    }

    enum Rule { case sgd, classical, nesterov }

    /// `body(offset, count)` over chunks of 0..<count on all cores when large, summed in order.
    static func inChunks(_ count: Int, _ body: @escaping @Sendable (Int, Int) -> WeightChange) -> WeightChange {
        let threads = UpdateKernels.threads
        guard count >= UpdateKernels.parallelThreshold, threads > 1 else { return body(0, count) }
        let block = ReductionKernels.block
        let chunk = ((count + threads - 1) / threads + block - 1) / block * block
        var partial = [WeightChange](repeating: WeightChange(), count: threads)
        partial.withUnsafeMutableBufferPointer { out in
            let results = UncheckedSendable(out.baseAddress!)
            GEMMThreading.forEach(threads) { t in
                let start = t * chunk
                if start < count { results.value[t] = body(start, Swift.min(chunk, count - start)) }
            }
        }
        return partial.reduce(WeightChange(), +)
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> SIMD16<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self) }

    @inline(__always)
    static func store(_ x: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: x, as: SIMD16<Float>.self) }

    @inline(__always)
    static func absolute(_ x: SIMD16<Float>) -> SIMD16<Float> { x.replacing(with: -x, where: x .< 0) }

    static func floatStep(_ w: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>?, _ g: UnsafePointer<Float>, _ n: Int,
                          lr: Float, mu: Float, rule: Rule) -> WeightChange {
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
            var part = WeightChange(absoluteChange: Double(sa.sum()), squaredChange: Double(ss.sum()),
                                    weightSquares: Double(sw.sum()), gradientSquares: Double(sg.sum()))
            if i < end {
                part = part + scalarStep(w + i, v.map { $0 + i }, g + i, end - i, lr: lr, mu: mu, rule: rule)
            }
            total = total + part
            start = end
        }
        return total
    }

    static func scalarStep<T: TensorScalar>(_ w: UnsafeMutablePointer<T>, _ v: UnsafeMutablePointer<T>?, _ g: UnsafePointer<T>, _ n: Int,
                                            lr: T, mu: T, rule: Rule) -> WeightChange {
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
