import _Differentiation
import DifferentiableCheck
import Foundation

/// A 3 → 4 → 2 network, tanh hidden units, squared error, written with plain loops and
/// differentiated by the compiler (no registered derivatives).
struct TinyMLP: Differentiable, CheckableStruct {
    var w1: [Double], b1: [Double], w2: [Double], b2: [Double]
    @noDerivative let inputs = 3, hidden = 4, outputs = 2

    static var checkFields: [CheckField<TinyMLP>] {
        [
            CheckField("w1", \.w1, tangent: \.w1, shape: { [$0.hidden, $0.inputs] }),
            CheckField("b1", \.b1, tangent: \.b1),
            CheckField("w2", \.w2, tangent: \.w2, shape: { [$0.outputs, $0.hidden] }),
            CheckField("b2", \.b2, tangent: \.b2)
        ]
    }

    init() {
        w1 = (0..<12).map { sin(Double($0) + 0.5) }
        b1 = [0.1, -0.2, 0.05, 0.3]
        w2 = (0..<8).map { cos(1.3 * Double($0)) }
        b2 = [0.02, -0.04]
    }
}

@differentiable(reverse)
func tinyMLPLoss(_ net: TinyMLP) -> Double {
    let xs: [[Double]] = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]]
    let ts: [[Double]] = [[1, 0], [0, 1]]
    var loss = 0.0
    for k in 0..<withoutDerivative(at: xs.count) {
        var h: [Double] = []
        for j in 0..<withoutDerivative(at: net.hidden) {
            var s = net.b1[j]
            for i in 0..<withoutDerivative(at: net.inputs) { s += net.w1[j * net.inputs + i] * xs[k][i] }
            h.append(tanh(s))
        }
        for o in 0..<withoutDerivative(at: net.outputs) {
            var y = net.b2[o]
            for j in 0..<withoutDerivative(at: net.hidden) { y += net.w2[o * net.hidden + j] * h[j] }
            let r = y - ts[k][o]
            loss += 0.5 * r * r
        }
    }
    return loss
}
