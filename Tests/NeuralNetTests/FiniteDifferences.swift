import TensorCore
@testable import NeuralNet

/// Central differences (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h for every coordinate: a small helper
/// local to these tests (truncation O(h²), rounding O(ε/h); h = 1e-6 balances them for
/// O(1) Double functions).
func centralDifferences(at x: [Double], step h: Double = 1e-6, _ f: ([Double]) -> Double) -> [Double] {
    var y = x
    return (0..<x.count).map { i in
        y[i] = x[i] + h; let plus = f(y)
        y[i] = x[i] - h; let minus = f(y)
        y[i] = x[i]
        return (plus - minus) / (2 * h)
    }
}

/// The largest |a − n| / max(1, |a|, |n|) over the entries.
func maxRelativeError(_ a: [Double], _ n: [Double]) -> Double {
    precondition(a.count == n.count, "lengths \(a.count) and \(n.count)")
    return zip(a, n).map { abs($0 - $1) / max(1, abs($0), abs($1)) }.max() ?? 0
}

/// Checks a layer's backward pass against central differences of L = Σ r ⊙ forward(x) with a
/// random r, with respect to the input and to every parameter. Returns the worst relative errors.
func layerGradientErrors(
    _ layer: any Layer<Double>, input: Tensor<Double>, seed: UInt64 = 1,
    mode: ExecutionMode = .evaluation
)
    -> (input: Double, parameters: [Double])
{
    var context = ForwardContext(mode: mode, rng: PRNG(seed: 99))
    let tape = layer.forward(input, context: &context)
    var rng = PRNG(seed: seed)
    let r = Tensor<Double>.uniform(shape: tape.output.shape, low: -1, high: 1, using: &rng)
    var grads = layer.parameterSlots.map { Tensor<Double>(zeros: $0.shape) }
    let dx = layer.backward(r, tape: tape, parameterGradients: &grads)

    func objective(_ l: any Layer<Double>, _ x: Tensor<Double>) -> Double {
        var c = ForwardContext(mode: mode, rng: PRNG(seed: 99))
        return (l.forward(x, context: &c).output * r).scalars.reduce(0, +)
    }
    let numericInput = centralDifferences(at: input.scalars) {
        objective(layer, Tensor(shape: input.shape, scalars: $0))
    }
    var parameterErrors = [Double]()
    for (k, p) in layer.parameters.enumerated() {
        let numeric = centralDifferences(at: p.scalars) { values in
            var l = layer
            l.parameters[k] = Tensor(shape: p.shape, scalars: values)
            return objective(l, input)
        }
        parameterErrors.append(maxRelativeError(grads[k].scalars, numeric))
    }
    return (maxRelativeError(dx.scalars, numericInput), parameterErrors)
}

/// A random tensor whose entries stay at least `margin` away from zero (away from ReLU kinks).
func awayFromZero(shape: [Int], margin: Double = 0.05, rng: inout PRNG) -> Tensor<Double> {
    Tensor<Double>.uniform(shape: shape, low: -1, high: 1, using: &rng).map { x in
        abs(x) < margin ? (x < 0 ? x - margin : x + margin) : x
    }
}
