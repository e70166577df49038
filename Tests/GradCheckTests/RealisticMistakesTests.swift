import Foundation
import GradCheck
import NeuralNet
import TensorCore
import Testing

/// Thirteen realistic mistakes beyond the built-in zoo, each written as the objective a person
/// would check (a model with an adjusted gradient, or a closure with a hand-written backward
/// pass), each held to the exact set of codes true of it: the right code where one exists,
/// and no other. A mistake with no pattern of its own (an approximate backward, a wrong
/// derivative formula) must fail with no code at all rather than with a wrong one.
struct RealisticMistakesTests {
    typealias Codes = [String: Set<CheckFinding.Code>]

    struct Mistake: Sendable, CustomStringConvertible {
        var name: String
        var objective: @Sendable () throws -> any GradientObjective
        var blocks: Codes
        var model: Set<CheckFinding.Code>
        var description: String { name }
    }

    /// ex4-debug (3 → 5 → 3, m = 5) in `S`, λ = 0, with its gradient rewritten by `rule`.
    static func ex4<S: TensorScalar>(
        _: S.Type, _ rule: @escaping AdjustedObjective<ModelObjective<S>>.GradientRule
    ) throws -> AdjustedObjective<ModelObjective<S>> {
        AdjustedObjective(
            try ModelObjective(try Preset.ex4Debug.problem(ArchitectureSpec(lambda: 0)) as SupervisedProblem<S>),
            gradient: rule)
    }

    /// A float32 dense network 6 → 8 → 4 with 32 examples (enough entries for block evidence).
    static func float32Network() throws -> ModelObjective<Float> {
        let spec = ArchitectureSpec(layers: [6, 8, 4], activation: .tanh, examples: 32, seed: 3)
        return try ModelObjective(try spec.problem() as SupervisedProblem<Float>)
    }

    /// Scales the gradient of the named blocks by `factor`.
    static func scaling<C>(_ names: Set<String>, by factor: Double) -> @Sendable (C, [Double]) -> [Double]
    where C: BlocksContext {
        { c, g in
            var g = g
            for b in c.blocks where names.contains(b.name) { for i in b.range { g[i] *= factor } }
            return g
        }
    }

    static let mistakes: [Mistake] = [
        // 1. The float32 case: one block 1 % off, too little for most single entries.
        Mistake(
            name: "float32 block uniformly 1 % off",
            objective: {
                let base = try float32Network()
                return AdjustedObjective(base, gradient: scaling(["layer1.weight"], by: 1.01))
            },
            blocks: ["layer1.weight": [.scale]], model: []),
        // 2. A constant mistyped by 0.1 % everywhere (0.4995 for ½ in a hand-written loss).
        Mistake(
            name: "constant mistyped by 0.1 %",
            objective: { try ex4(Double.self) { _, g in g.map { $0 * 0.999 } } },
            blocks: [
                "layer1.weight": [.scale], "layer1.bias": [.scale], "layer2.weight": [.scale], "layer2.bias": [.scale]
            ],
            model: [.scale]),
        // 3, 4. The small scales on one block.
        Mistake(
            name: "one block (1 − 1e-6)×",
            objective: { try ex4(Double.self, scaling(["layer2.weight"], by: 1 - 1e-6)) },
            blocks: ["layer2.weight": [.scale]], model: []),
        Mistake(
            name: "one block 1.00126×",
            objective: { try ex4(Double.self, scaling(["layer1.weight"], by: 1.00126)) },
            blocks: ["layer1.weight": [.scale]], model: []),
        // 5. Batch normalisation over a vector, backward without the −mean(g) term.
        Mistake(
            name: "batch norm without the mean term", objective: { batchNorm(dropMeanTerm: true) },
            blocks: ["x": [.offset]], model: []),
        // 6. An embedding lookup with a repeated index whose gradient is overwritten, not accumulated.
        Mistake(
            name: "embedding with repeated indices overwritten", objective: { embedding(accumulate: false) },
            blocks: ["table": [.concentrated]], model: []),
        // 7. A masked sequence loss whose gradient forgets the mask at padded positions.
        Mistake(
            name: "masked loss not masked in the gradient", objective: { maskedLoss() },
            blocks: ["logits": [.concentrated]], model: []),
        // 8. Inverted dropout (p = ½) whose backward forgets the 1/(1 − p): the blocks below it halve.
        Mistake(
            name: "dropout's 1/(1 − p) missing in backward",
            objective: { try ex4(Double.self, scaling(["layer1.weight", "layer1.bias"], by: 0.5)) },
            blocks: ["layer1.weight": [.scale], "layer1.bias": [.scale]], model: [.scale]),
        // 9. GELU: forward with erf, backward with the tanh approximation's derivative.
        Mistake(
            name: "GELU backward from the tanh approximation", objective: { gelu() },
            blocks: ["x": []], model: []),
        // 10. Softplus derivative written as σ(−x) instead of σ(x).
        Mistake(
            name: "softplus derivative σ(−x)", objective: { softplus() },
            blocks: ["x": []], model: []),
        // 11. Layer normalisation whose gain's gradient is never accumulated (left at zero).
        Mistake(
            name: "layer norm gain gradient not accumulated", objective: { layerNorm() },
            blocks: ["gain": [.zeroGradient]], model: []),
        // 13. A recurrent network through time whose W gradient stops after the last step.
        Mistake(
            name: "recurrent network, backprop through time truncated to one step", objective: { recurrent() },
            blocks: ["W": []], model: []),
        // 12. Attention scores through a softmax whose backward keeps only the Jacobian's diagonal.
        Mistake(
            name: "attention softmax backward diagonal only", objective: { attention() },
            blocks: ["query": []], model: [])
    ]

    @Test(arguments: mistakes)
    func onlyTrueCodes(_ mistake: Mistake) throws {
        let report = check(try mistake.objective())
        let text = TextReport(title: mistake.name).render(report)
        #expect(report.verdict == .fail, "\(text)")
        var blocks = Codes()
        for b in report.blocks where b.verdict == .fail || !b.diagnosis.isEmpty {
            blocks[b.name] = Set(b.diagnosis.map(\.code))
        }
        #expect(blocks == mistake.blocks, "\(mistake.name)\n\(text)")
        #expect(Set(report.diagnosis.map(\.code)) == mistake.model, "\(mistake.name)\n\(text)")
    }

    // MARK: - The hand-written objectives

    static func draw(_ n: Int, seed: UInt64, scale: Double = 1) -> [Double] {
        var rng = PRNG(seed: seed)
        return (0..<n).map { _ in scale * (2 * rng.nextDouble() - 1) }
    }

    /// L = Σ cᵢ·yᵢ with y = (x − μ)/σ over the vector x (σ² = mean (x − μ)² + ε).
    /// ∂L/∂x = (c − mean(c) − y·mean(c ⊙ y))/σ; the mistake drops −mean(c).
    static func batchNorm(dropMeanTerm: Bool) -> ClosureObjective {
        let n = 8
        let c = draw(n, seed: 31)
        return ClosureObjective(point: draw(n, seed: 32, scale: 2)) { x in
            let mu = x.reduce(0, +) / Double(n)
            let sigma = (x.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / Double(n) + 1e-5).squareRoot()
            let y = x.map { ($0 - mu) / sigma }
            let value = zip(c, y).map(*).reduce(0, +)
            let meanC = c.reduce(0, +) / Double(n)
            let meanCY = zip(c, y).map(*).reduce(0, +) / Double(n)
            let g = (0..<n).map { i in (c[i] - (dropMeanTerm ? 0 : meanC) - y[i] * meanCY) / sigma }
            return (value, g)
        }
    }

    /// L = Σₖ ⟨wₖ, E[idxₖ]⟩ with a repeated index: E's row gradient is Σ over its uses.
    static func embedding(accumulate: Bool) -> ClosureObjective {
        let (rows, d) = (6, 4)
        let indices = [1, 3, 1, 4, 1]
        let w = draw(indices.count * d, seed: 41)
        return ClosureObjective(
            point: draw(rows * d, seed: 42), blocks: [ObjectiveBlock(name: "table", shape: [rows, d], offset: 0)]
        ) { e in
            var value = 0.0
            var g = [Double](repeating: 0, count: rows * d)
            for (k, r) in indices.enumerated() {
                for j in 0..<d {
                    value += w[k * d + j] * e[r * d + j]
                    if accumulate { g[r * d + j] += w[k * d + j] } else { g[r * d + j] = w[k * d + j] }
                }
            }
            return (value, g)
        }
    }

    /// Softmax cross-entropy over 8 time steps × 5 classes, the last 2 steps padding (mask 0):
    /// the mistake takes their gradient as if they counted.
    static func maskedLoss() -> ClosureObjective {
        let (steps, classes) = (8, 5)
        let mask = (0..<steps).map { $0 < 6 ? 1.0 : 0.0 }
        let labels = [0, 3, 1, 4, 2, 2, 0, 1]
        return ClosureObjective(
            point: draw(steps * classes, seed: 51, scale: 2),
            blocks: [ObjectiveBlock(name: "logits", shape: [steps, classes], offset: 0)]
        ) { z in
            var value = 0.0
            var g = [Double](repeating: 0, count: steps * classes)
            for t in 0..<steps {
                let row = Array(z[(t * classes)..<((t + 1) * classes)])
                let m = row.max()!
                let e = row.map { Foundation.exp($0 - m) }
                let s = e.reduce(0, +)
                value += mask[t] * (Foundation.log(s) + m - row[labels[t]])
                for j in 0..<classes { g[t * classes + j] = e[j] / s - (j == labels[t] ? 1 : 0) }  // mask forgotten
            }
            return (value, g)
        }
    }

    /// Σ f(xᵢ)·cᵢ with the hand-written derivative `derivative` (an element-wise activation's
    /// backward under test).
    static func elementwise(
        seed: UInt64, value f: @escaping @Sendable (Double) -> Double,
        derivative: @escaping @Sendable (Double) -> Double
    ) -> ClosureObjective {
        let n = 10
        let c = draw(n, seed: seed)
        return ClosureObjective(point: draw(n, seed: seed + 1, scale: 3)) { x in
            var value = 0.0
            var g = [Double](repeating: 0, count: n)
            for i in 0..<n {
                value += f(x[i]) * c[i]
                g[i] = derivative(x[i]) * c[i]
            }
            return (value, g)
        }
    }

    /// GELU(x) = x·Φ(x); the backward uses d/dx of the tanh approximation.
    static func gelu() -> ClosureObjective {
        elementwise(seed: 61, value: { $0 * geluPhi($0) }, derivative: geluTanhDerivative)
    }

    /// Φ(x), the standard normal CDF.
    @Sendable static func geluPhi(_ x: Double) -> Double { 0.5 * (1 + erf(x / 2.0.squareRoot())) }

    /// d/dx of the tanh approximation 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))).
    @Sendable static func geluTanhDerivative(_ x: Double) -> Double {
        let k = (2 / Double.pi).squareRoot()
        let u = k * (x + 0.044715 * x * x * x)
        let t = Foundation.tanh(u)
        let du = k * (1 + 3 * 0.044715 * x * x)
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du
    }

    /// softplus(x) = log(1 + eˣ), softplus′ = σ(x), written as σ(−x).
    static func softplus() -> ClosureObjective {
        elementwise(
            seed: 71, value: { Foundation.log1p(Foundation.exp($0)) },
            derivative: { 1 / (1 + Foundation.exp($0)) })  // σ(−x): should be σ(x)
    }

    /// L = Σ cᵢ·(γᵢ·yᵢ + βᵢ) with y the layer-normalised input: ∂L/∂γ = c ⊙ y, left at zero.
    static func layerNorm() -> ClosureObjective {
        let n = 6
        let x = draw(n, seed: 81, scale: 2), c = draw(n, seed: 82)
        let mu = x.reduce(0, +) / Double(n)
        let sigma = (x.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / Double(n) + 1e-5).squareRoot()
        let y = x.map { ($0 - mu) / sigma }
        return ClosureObjective(
            point: draw(n, seed: 83) + draw(n, seed: 84),
            blocks: [
                ObjectiveBlock(name: "gain", shape: [n], offset: 0),
                ObjectiveBlock(name: "shift", shape: [n], offset: n)
            ]
        ) { p in
            var value = 0.0
            for i in 0..<n { value += c[i] * (p[i] * y[i] + p[n + i]) }
            return (value, [Double](repeating: 0, count: n) + c)  // ∂L/∂γ never accumulated
        }
    }

    /// hₜ = tanh(W·hₜ₋₁ + xₜ) over 5 steps from h₀ = 0, L = ⟨c, h₅⟩. Full backprop through time
    /// sums δₜ·hₜ₋₁ᵀ over every step; the mistake keeps only the last.
    static func recurrent() -> ClosureObjective {
        let (n, steps) = (3, 5)
        let xs = draw(n * steps, seed: 101), c = draw(n, seed: 102)
        return ClosureObjective(
            point: draw(n * n, seed: 103, scale: 0.8), blocks: [ObjectiveBlock(name: "W", shape: [n, n], offset: 0)]
        ) { w in
            var hs = [[Double](repeating: 0, count: n)]
            for t in 0..<steps {
                var z = [Double](repeating: 0, count: n)
                for i in 0..<n {
                    z[i] = xs[t * n + i]
                    for j in 0..<n { z[i] += w[i * n + j] * hs[t][j] }
                }
                hs.append(z.map { Foundation.tanh($0) })
            }
            let value = zip(c, hs[steps]).map(*).reduce(0, +)
            // δ at the last step only: (c ⊙ (1 − h²)) · h₄ᵀ.
            var g = [Double](repeating: 0, count: n * n)
            for i in 0..<n {
                let delta = c[i] * (1 - hs[steps][i] * hs[steps][i])
                for j in 0..<n { g[i * n + j] = delta * hs[steps - 1][j] }
            }
            return (value, g)
        }
    }

    /// One query q against 5 keys: a = softmax(K·q), L = ⟨c, Vᵀa⟩; the backward through the
    /// softmax uses g ⊙ a(1 − a) instead of a ⊙ (g − ⟨g, a⟩).
    static func attention() -> ClosureObjective {
        let (keys, d) = (5, 4)
        let k = draw(keys * d, seed: 91), v = draw(keys * d, seed: 92), c = draw(d, seed: 93)
        return ClosureObjective(
            point: draw(d, seed: 94, scale: 1.5), blocks: [ObjectiveBlock(name: "query", shape: [d], offset: 0)]
        ) { q in
            var scores = [Double](repeating: 0, count: keys)
            for r in 0..<keys { for j in 0..<d { scores[r] += k[r * d + j] * q[j] } }
            let m = scores.max()!
            let e = scores.map { Foundation.exp($0 - m) }
            let s = e.reduce(0, +)
            let a = e.map { $0 / s }
            var value = 0.0, ga = [Double](repeating: 0, count: keys)
            for r in 0..<keys {
                for j in 0..<d {
                    value += c[j] * a[r] * v[r * d + j]
                    ga[r] += c[j] * v[r * d + j]
                }
            }
            var gq = [Double](repeating: 0, count: d)
            for r in 0..<keys {
                let gs = ga[r] * a[r] * (1 - a[r])  // diagonal only: should be a[r]·(ga[r] − ⟨ga, a⟩)
                for j in 0..<d { gq[j] += gs * k[r * d + j] }
            }
            return (value, gq)
        }
    }
}

/// What the scaling rule needs of an adjusted objective's context.
protocol BlocksContext { var blocks: [ObjectiveBlock] { get } }
extension AdjustedObjective.Context: BlocksContext {}
