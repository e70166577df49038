import TensorCore

/// Summary statistics of a batch of activations `y` (`rows` examples × `columns` units),
/// as the gradient-flow monitor reports them.
struct ActivationSummary: Sendable, Equatable {
    var mean: Double
    var standardDeviation: Double
    /// Fraction of entries where f′ < 1% of its maximum (sigmoid: y(1 − y) < 0.0025;
    /// tanh: 1 − y² < 0.01); `nil` for other activations.
    var saturation: Double?
    /// Fraction of units whose output is ≤ 0 for every example of the batch (ReLU, leaky ReLU:
    /// no gradient through the unit for the whole batch, or only the leak); `nil` otherwise.
    var deadFraction: Double?
}

enum ActivationStatistics {
    /// The saturation threshold as a fraction of f′'s maximum (σ′ ≤ 1/4, tanh′ ≤ 1).
    static let saturationFraction = 0.01

    static func summarize<S: TensorScalar>(
        _ f: Activation?, _ y: UnsafePointer<S>, rows: Int, columns: Int
    ) -> ActivationSummary {
        switch ConcreteScalar.of(S.self) {
        case .float: summarize(f, y.rebound(to: Float.self), rows, columns)
        case .double: summarize(f, y.rebound(to: Double.self), rows, columns)
        case .other: summarizeSlowly(f, y, rows, columns)
        }
    }

    static func summarize(
        _ f: Activation?, _ y: UnsafePointer<Float>, _ rows: Int, _ columns: Int
    ) -> ActivationSummary {
        summarize(f, y, rows, columns, sums: ReductionKernels.sumAndSquares(y, rows * columns))
    }

    static func summarize(
        _ f: Activation?, _ y: UnsafePointer<Double>, _ rows: Int, _ columns: Int
    ) -> ActivationSummary {
        summarize(f, y, rows, columns, sums: ReductionKernels.sumAndSquares(y, rows * columns))
    }

    static func summarize<T: TensorScalar>(
        _ f: Activation?, _ y: UnsafePointer<T>,
        _ rows: Int, _ columns: Int, sums: (Double, Double)
    ) -> ActivationSummary {
        let n = rows * columns
        let (sum, squares) = sums
        let mean = sum / Double(Swift.max(n, 1))
        let variance = Swift.max(0, squares / Double(Swift.max(n, 1)) - mean * mean)
        var summary = ActivationSummary(mean: mean, standardDeviation: variance.squareRoot())
        switch f {
        case .sigmoid?, .tanh?:
            let isSigmoid = f == .sigmoid
            let threshold = T(isSigmoid ? 0.25 * saturationFraction : saturationFraction)
            var saturated = 0
            if isSigmoid {
                for i in 0..<n { let v = y[i]; saturated += v * (1 - v) < threshold ? 1 : 0 }
            } else {
                for i in 0..<n { let v = y[i]; saturated += 1 - v * v < threshold ? 1 : 0 }
            }
            summary.saturation = Double(saturated) / Double(Swift.max(n, 1))
        case .relu?, .leakyReLU?:
            var alive = [Bool](repeating: false, count: columns)
            alive.withUnsafeMutableBufferPointer { a in
                for i in 0..<rows {
                    let row = y + i * columns
                    for j in 0..<columns where row[j] > 0 { a[j] = true }
                }
            }
            summary.deadFraction = Double(alive.filter { !$0 }.count) / Double(Swift.max(columns, 1))
        default:
            break
        }
        return summary
    }

    static func summarizeSlowly<T: TensorScalar>(
        _ f: Activation?, _ y: UnsafePointer<T>,
        _ rows: Int, _ columns: Int
    ) -> ActivationSummary {
        let values = (0..<(rows * columns)).map { Double(y[$0]) }
        return values.withUnsafeBufferPointer { summarize(f, $0.baseAddress!, rows, columns) }
    }
}
