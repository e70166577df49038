import Foundation
import Testing
import TensorCore
import NeuralNet
@testable import GradCheck

/// No false alarms: correct models never `fail` (they pass, or are inconclusive only where
/// noise widens a bound) and get no finding at all (apart from `noisy` for a noisy objective and
/// `no-effect` for a block the cost does not depend on, both true), over random architectures,
/// seeds and points, in Float and Double, including ReLU networks near kinks, networks with
/// dead layers, and an objective with added noise: 240 configurations.
struct NoFalseAlarmTests {
    /// A random dense network on random data, drawn from `seed`.
    static func randomProblem<S: TensorScalar>(
        seed: UInt64, activation: ActivationKind? = nil
    ) throws -> SupervisedProblem<S> {
        var rng = PRNG(seed: seed)
        let depth = 1 + rng.nextInt(below: 3)
        var sizes = [2 + rng.nextInt(below: 6)]
        for _ in 0..<depth { sizes.append(2 + rng.nextInt(below: 7)) }
        sizes.append(2 + rng.nextInt(below: 4))
        let activations = ActivationKind.allCases
        let losses = LossKind.allCases
        let initializers: [Initializer] = [.xavierUniform, .xavierNormal, .he, .ex4]
        let spec = ArchitectureSpec(
            layers: sizes, activation: activation ?? activations[rng.nextInt(below: activations.count)],
            loss: losses[rng.nextInt(below: losses.count)],
            lambda: rng.nextInt(below: 2) == 0 ? 0 : rng.nextDouble() * 3,
            initializer: initializers[rng.nextInt(below: initializers.count)], seed: seed)
        let model: Sequential<S> = try spec.makeModel(sizes: sizes)
        let m = 1 + rng.nextInt(below: 12)
        let x = Tensor<S>.uniform(shape: [m, sizes[0]], low: -2, high: 2, using: &rng)
        let k = sizes.last!
        let targets: Targets<S> =
            spec.loss == .mse
            ? .dense(.uniform(shape: [m, k], low: -1, high: 1, using: &rng))
            : .classes((0..<m).map { _ in rng.nextInt(below: k) })
        return SupervisedProblem(name: "random \(sizes)", model: model, inputs: x, targets: targets)
    }

    /// Every finding in the report, model and blocks, except the true ones `allowed`.
    static func findings(_ r: GradientReport, allowing allowed: Set<CheckFinding.Code> = []) -> [CheckFinding.Code] {
        (r.diagnosis + r.blocks.flatMap(\.diagnosis)).map(\.code).filter { !allowed.contains($0) }
    }

    static func summary(_ r: GradientReport) -> String {
        let bad = r.entries.filter { $0.verdict == .fail }.prefix(3)
        return "\(r.verdict) σ=\(r.noise) "
            + bad.map { "\($0.block)[\($0.index)] a=\($0.analytic) n=\($0.numeric) b=\($0.bound) h=\($0.step)" }.joined(
                separator: "; ")
    }

    @Test(arguments: 0..<60)
    func randomDoubleNetworksNeverFail(seed: Int) throws {
        let problem: SupervisedProblem<Double> = try Self.randomProblem(seed: UInt64(seed))
        let report = check(try ModelObjective(problem), configuration: CheckConfiguration(seed: UInt64(seed)))
        #expect(report.verdict != .fail && report.verdict != .error, "\(problem.name): \(Self.summary(report))")
        #expect(report.entries.allSatisfy { $0.verdict != .fail })
        #expect(Self.findings(report, allowing: [.noEffect]).isEmpty, "\(problem.name): \(Self.findings(report))")
    }

    @Test(arguments: 0..<60)
    func randomFloatNetworksNeverFail(seed: Int) throws {
        let problem: SupervisedProblem<Float> = try Self.randomProblem(seed: UInt64(1000 + seed))
        let report = check(try ModelObjective(problem), configuration: CheckConfiguration(seed: UInt64(seed)))
        #expect(report.verdict != .fail && report.verdict != .error, "\(problem.name): \(Self.summary(report))")
        #expect(Self.findings(report, allowing: [.noEffect]).isEmpty, "\(problem.name): \(Self.findings(report))")
    }

    /// ReLU networks whose first-layer pre-activations sit within a step of 0 for some units.
    @Test(arguments: 0..<40)
    func reluNetworksNearKinksNeverFail(seed: Int) throws {
        var problem: SupervisedProblem<Double> = try Self.randomProblem(seed: UInt64(2000 + seed), activation: .relu)
        // Move the first layer's biases so that one pre-activation of example 0 is 1e-7 from the kink.
        var dense = problem.model.layers[0] as! Dense<Double>
        let z = Tensor.matmul(problem.inputs, .none, dense.weight, .transposed).adding(rowVector: dense.bias)
        for j in 0..<dense.outputSize { dense.bias[flat: j] -= z[0, j] - (j % 2 == 0 ? 1e-7 : -1e-7) }
        problem.model.replaceLayer(0, with: dense)
        let report = check(try ModelObjective(problem), configuration: CheckConfiguration(seed: UInt64(seed)))
        #expect(report.verdict != .fail && report.verdict != .error, "\(problem.name): \(Self.summary(report))")
        #expect(Self.findings(report, allowing: [.noEffect]).isEmpty, "\(problem.name): \(Self.findings(report))")
    }

    /// A first layer of dead ReLUs (every pre-activation negative): the cost does not depend on
    /// that layer's parameters, which pass as `no-effect` (they were inconclusive, and failed CI).
    @Test(arguments: 0..<40)
    func deadLayersPassAsNoEffect(seed: Int) throws {
        func run<S: TensorScalar>(_: S.Type) throws {
            var problem: SupervisedProblem<S> = try Self.randomProblem(seed: UInt64(4000 + seed), activation: .relu)
            var dense = problem.model.layers[0] as! Dense<S>
            for j in 0..<dense.outputSize { dense.bias[flat: j] = -100 }
            problem.model.replaceLayer(0, with: dense)
            let report = check(try ModelObjective(problem), configuration: CheckConfiguration(seed: UInt64(seed)))
            // Never a failure; other blocks may be inconclusive where float32 rounding of a cost
            // this large widens their bounds.
            #expect(report.verdict != .fail, "\(problem.name): \(Self.summary(report))")
            // (The weights may carry an L2 term, which the cost does depend on.)
            for name in problem.model.regularization.lambda == 0 ? ["layer1.weight", "layer1.bias"] : ["layer1.bias"] {
                let block = try #require(report.blocks.first { $0.name == name })
                #expect(block.verdict == .pass && block.diagnosis.map(\.code) == [.noEffect], "\(problem.name) \(name)")
            }
            #expect(Self.findings(report, allowing: [.noEffect]).isEmpty, "\(problem.name): \(Self.findings(report))")
        }
        if seed % 2 == 0 { try run(Double.self) } else { try run(Float.self) }
    }

    /// The same ReLU kinks seen only as a black box (no structure flags): one-sided differences.
    @Test(arguments: 0..<20)
    func blackBoxKinksNeverFail(seed: Int) throws {
        var rng = PRNG(seed: UInt64(seed))
        let n = 6
        let point = (0..<n).map { _ in rng.nextDouble() * 2 - 1 }
        // f(x) = Σ |xᵢ − cᵢ| + Σ xᵢ² with every cᵢ within 1e-7 of xᵢ.
        let c = point.map { $0 + (rng.nextDouble() - 0.5) * 2e-7 }
        let objective = ClosureObjective(point: point) { x in
            var f = 0.0
            var g = [Double](repeating: 0, count: x.count)
            for i in x.indices {
                f += abs(x[i] - c[i]) + x[i] * x[i]
                g[i] = (x[i] > c[i] ? 1 : -1) + 2 * x[i]
            }
            return (f, g)
        }
        let report = check(objective)
        #expect(report.verdict != .fail, "\(Self.summary(report))")
        #expect(report.entries.contains { $0.verdict == .kink })
        #expect(Self.findings(report).isEmpty, "\(Self.findings(report))")
    }

    /// An objective with added noise of relative size 1e-9 (e.g. a Monte Carlo term).
    @Test(arguments: 0..<20)
    func noisyObjectiveNeverFails(seed: Int) throws {
        let problem: SupervisedProblem<Double> = try Self.randomProblem(seed: UInt64(3000 + seed), activation: .tanh)
        let theta = problem.point
        let counter = NoiseSource(seed: UInt64(seed))
        let objective = ClosureObjective(
            point: theta,
            value: { x in
                let f = try! problem.cost(at: x).value
                return f * (1 + 1e-9 * counter.next())
            }, valueAndGradient: { x in try! problem.cost(at: x) })
        let report = check(objective)
        #expect(report.verdict != .fail && report.verdict != .error, "\(problem.name): \(Self.summary(report))")
        #expect(report.noise > 1e-12 * abs(report.value))
        #expect(Self.findings(report, allowing: [.noisy]).isEmpty, "\(problem.name): \(Self.findings(report))")
    }
}

/// Thread-safe uniform noise in [−1, 1).
final class NoiseSource: @unchecked Sendable {
    let lock = NSLock()
    var rng: PRNG
    init(seed: UInt64) { rng = PRNG(seed: seed) }
    func next() -> Double { lock.lock(); defer { lock.unlock() }; return rng.nextDouble() * 2 - 1 }
}
