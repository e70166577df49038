import TensorCore
import RealModule

/// How to fill a model's weights. Every random scheme draws from an explicit seeded ``PRNG``.
///
/// - `debug`: ex4's `debugInitializeWeights(fan_out, fan_in)`: Θ = sin(1…n)/10 reshaped to
///   `(fan_out, 1 + fan_in)` COLUMN BY COLUMN, as Octave's `reshape` fills it. Deterministic.
/// - `debugRowMajor`: the same numbers filled row by row, as a numpy port with the default
///   `reshape` gives.
/// - `ex4`: ex4's `randInitializeWeights`: Θ (bias column included) uniform in [−ε, ε] with
///   ε = √6/√(fan_in + fan_out).
/// - `xavierUniform`: W ~ U(−a, a), a = √(6/(fan_in + fan_out)); `xavierNormal`:
///   W ~ N(0, 2/(fan_in + fan_out)) (Glorot & Bengio 2010). Biases zero.
/// - `he`: W ~ N(0, 2/fan_in) (He et al. 2015). Biases zero.
/// - `normal`: W ~ N(0, 1) whatever the fan-in, biases zero: the naive scale of many tutorials
///   (and of Nielsen's *Neural Networks and Deep Learning*, ch. 5), which saturates sigmoid units
///   in wide layers — kept to reproduce the vanishing-gradient demonstration.
public enum Initializer: String, Sendable, CaseIterable, Codable {
    case debug, debugRowMajor = "debug-rowmajor", ex4, xavierUniform = "xavier", xavierNormal = "xavier-normal", he,
        normal

    /// ex4's `debugInitializeWeights` as a `[rows, columns]` matrix of sin(1…n)/10, filled
    /// column-major (Octave) or row-major (numpy).
    public static func debugMatrix<S: TensorScalar>(rows: Int, columns: Int, columnMajor: Bool = true) -> Tensor<S> {
        var t = Tensor<S>(zeros: [rows, columns])
        for k in 0..<(rows * columns) {
            let value = S(Double.sin(Double(k + 1)) / 10)
            let (r, c) = columnMajor ? (k % rows, k / rows) : (k / columns, k % columns)
            t[flat: r * columns + c] = value
        }
        return t
    }

    /// Fills the parameters of every layer that owns some (and is not tied) in `model`.
    public func initialize<S: TensorScalar>(_ model: inout Sequential<S>, rng: inout PRNG) {
        var params = model.parameters
        var seen = Set<Int>()
        for (bi, block) in model.parameterBlocks.enumerated() where !seen.contains(block.layerIndex) {
            seen.insert(block.layerIndex)
            let slots = model.layers[block.layerIndex].parameterSlots
            let weightShape = slots[0].shape
            let fanOut = weightShape[0] * weightShape.dropFirst(2).reduce(1, *)
            let fanIn = weightShape.dropFirst().reduce(1, *)
            let hasBias = slots.count > 1
            let (w, b) = make(shape: weightShape, fanIn: fanIn, fanOut: fanOut, rng: &rng) as (Tensor<S>, Tensor<S>)
            params[bi] = w
            if hasBias { params[bi + 1] = b }
        }
        model.parameters = params
    }

    /// A weight of `shape` (`[out, …]`) and a bias of `[out]`.
    func make<S: TensorScalar>(shape: [Int], fanIn: Int, fanOut: Int, rng: inout PRNG) -> (Tensor<S>, Tensor<S>) {
        let out = shape[0], perRow = fanIn
        switch self {
        case .debug, .debugRowMajor, .ex4:
            let theta: Tensor<S>
            if self == .ex4 {
                let eps = S(6.0.squareRoot() / Double(fanIn + fanOut).squareRoot())
                theta = .uniform(shape: [out, 1 + perRow], low: -eps, high: eps, using: &rng)
            } else {
                theta = Initializer.debugMatrix(rows: out, columns: 1 + perRow, columnMajor: self == .debug)
            }
            let (w, b) = Dense.split(theta: theta)
            return (w.reshaped(to: shape), b)
        case .xavierUniform:
            let a = S((6.0 / Double(fanIn + fanOut)).squareRoot())
            return (.uniform(shape: shape, low: -a, high: a, using: &rng), Tensor(zeros: [out]))
        case .xavierNormal:
            let sd = S((2.0 / Double(fanIn + fanOut)).squareRoot())
            return (.normal(shape: shape, standardDeviation: sd, using: &rng), Tensor(zeros: [out]))
        case .he:
            let sd = S((2.0 / Double(fanIn)).squareRoot())
            return (.normal(shape: shape, standardDeviation: sd, using: &rng), Tensor(zeros: [out]))
        case .normal:
            return (.normal(shape: shape, standardDeviation: 1, using: &rng), Tensor(zeros: [out]))
        }
    }
}
