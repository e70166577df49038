import Foundation
import Testing
import TensorCore
@testable import GradCheck

/// Vector-valued checks (`checkJacobian(_:configuration:options:)`): correct VJPs pass with no
/// finding, in float64 and float32; each classic mistake gets its code and no other.
struct VectorCheckTests {
    static let z: [Double] = [0.3, -1.2, 0.8, 0.1, 2.0]

    static func softmax(_ z: [Double]) -> [Double] {
        let m = z.max()!
        let e = z.map { Foundation.exp($0 - m) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }

    /// The correct VJP of softmax: s ⊙ (g − ⟨g, s⟩).
    static func softmaxVJP(_ z: [Double], _ g: [Double]) -> [Double] {
        let s = softmax(z)
        let dot = zip(g, s).map(*).reduce(0, +)
        return zip(g, s).map { $1 * ($0 - dot) }
    }

    static func objective(
        point: [Double] = z, outputs: Int = 5, precision: Precision = .float64,
        function: @escaping @Sendable ([Double]) -> [Double] = softmax,
        vjp: @escaping @Sendable ([Double], [Double]) -> [Double]
    ) -> ClosureVectorObjective {
        ClosureVectorObjective(
            point: point, blocks: [ObjectiveBlock(name: "z", shape: [point.count], offset: 0)],
            outputs: [ObjectiveBlock(name: "s", shape: [outputs], offset: 0)],
            precision: precision, function: function, vjp: vjp)
    }

    /// Every code a report names, per block and overall.
    static func codes(_ report: GradientReport) -> Set<String> {
        Set(report.blocks.flatMap { $0.diagnosis.map(\.code.rawValue) } + report.diagnosis.map(\.code.rawValue))
    }

    @Test func correctSoftmaxPassesWithNoFinding() {
        let report = checkJacobian(Self.objective(vjp: Self.softmaxVJP))
        #expect(report.verdict == .pass)
        #expect(report.kind == "jacobian" && report.jacobian == "full")
        #expect(report.blocks.map(\.name) == ["∂s/∂z"])
        #expect(report.blocks[0].shape == [5, 5] && report.entries.count == 25)
        #expect(Self.codes(report).isEmpty, "\(Self.codes(report))")
        // The rows share their evaluations: far fewer than five separate gradient checks.
        #expect(report.evaluations < 2 * (4 * 5 + 30), "\(report.evaluations) evaluations")
    }

    @Test func float32SoftmaxPasses() {
        let f: @Sendable ([Double]) -> [Double] = { z in
            let zf = z.map { Float($0) }
            let m = zf.max()!
            let e = zf.map { Foundation.exp($0 - m) }
            let s = e.reduce(0, +)
            return e.map { Double($0 / s) }
        }
        let vjp: @Sendable ([Double], [Double]) -> [Double] = { z, g in
            let s = f(z).map { Float($0) }, gf = g.map { Float($0) }
            let dot = zip(gf, s).map(*).reduce(0, +)
            return zip(gf, s).map { Double($1 * ($0 - dot)) }
        }
        let point = Self.z.map { Double(Float($0)) }
        let report = checkJacobian(Self.objective(point: point, precision: .float32, function: f, vjp: vjp))
        #expect(report.verdict == .pass, "\(report.blocks.map { ($0.verdict, $0.failing, $0.inconclusive) })")
        #expect(Self.codes(report).isEmpty)
    }

    @Test func diagonalOnlySoftmaxIsNamed() {
        let report = checkJacobian(
            Self.objective(vjp: { z, g in
                zip(g, Self.softmax(z)).map { $0 * $1 * (1 - $1) }
            }))
        #expect(report.verdict == .fail)
        #expect(Self.codes(report) == ["diagonal-only"])
    }

    @Test func transposedProductIsNamed() {
        // F(x) = A·x with A not symmetric; the wrong VJP multiplies by A instead of Aᵀ.
        let a: [[Double]] = [[1, 2, 0, -1], [0.5, -3, 1, 2], [2, 0.25, 4, 1], [-1, 1, 0.5, 3]]
        let f: @Sendable ([Double]) -> [Double] = { x in a.map { zip($0, x).map(*).reduce(0, +) } }
        let wrong: @Sendable ([Double], [Double]) -> [Double] = { _, c in a.map { zip($0, c).map(*).reduce(0, +) } }
        let report = checkJacobian(Self.objective(point: [0.1, 0.2, -0.3, 0.4], outputs: 4, function: f, vjp: wrong))
        #expect(report.verdict == .fail)
        #expect(Self.codes(report) == ["transpose"], "\(Self.codes(report))")
    }

    @Test(arguments: [1.00126, 1 - 1e-5, 2.0])
    func scaleIsNamedWithItsDigits(_ factor: Double) {
        let report = checkJacobian(Self.objective(vjp: { z, g in Self.softmaxVJP(z, g).map { factor * $0 } }))
        #expect(report.verdict == .fail)
        #expect(Self.codes(report) == ["scale"], "\(Self.codes(report))")
        let message = report.blocks[0].diagnosis.first { $0.code == .scale }?.message ?? ""
        #expect(message.contains(JacobianDiagnosis.scaleText(factor)) || abs(factor - 1) < 1e-4, "\(message)")
    }

    @Test func signIsNamed() {
        let report = checkJacobian(Self.objective(vjp: { z, g in Self.softmaxVJP(z, g).map { -$0 } }))
        #expect(Self.codes(report) == ["sign"])
    }

    @Test func structureMistakesAreNamed() {
        let constant = checkJacobian(Self.objective(vjp: { z, g in Self.softmaxVJP(z, g).map { $0 + 0.1 } }))
        #expect(Self.codes(constant).contains("vjp-zero-cotangent"))
        #expect(constant.verdict == .fail)

        let squared = checkJacobian(Self.objective(vjp: { z, g in Self.softmaxVJP(z, g.map { $0 * $0 }) }))
        #expect(Self.codes(squared).contains("vjp-nonlinear"))
        #expect(!Self.codes(squared).contains("vjp-zero-cotangent"))

        let shape = checkJacobian(Self.objective(vjp: { z, g in Array(Self.softmaxVJP(z, g).dropLast()) }))
        #expect(Self.codes(shape) == ["vjp-wrong-shape"])
        #expect(shape.verdict == .fail)

        final class Buffer: @unchecked Sendable { var sum = [Double](repeating: 0, count: 5); let lock = NSLock() }
        let buffer = Buffer()
        let accumulating = checkJacobian(
            Self.objective(vjp: { z, g in
                buffer.lock.lock(); defer { buffer.lock.unlock() }
                buffer.sum = zip(buffer.sum, Self.softmaxVJP(z, g)).map(+)
                return buffer.sum
            }))
        #expect(Self.codes(accumulating).contains("vjp-not-reentrant"))
    }

    @Test func outputThatIgnoresAnInputIsNoEffect() {
        // y = 2·u; v does not enter it: ∂y/∂v is a no-effect pair that passes.
        let objective = ClosureVectorObjective(
            point: [0.5, -1, 3], blocks: ObjectiveBlock.consecutive([("u", [2]), ("v", [1])]),
            outputs: [ObjectiveBlock(name: "y", shape: [2], offset: 0)],
            function: { x in [2 * x[0], 2 * x[1]] }, vjp: { _, c in [2 * c[0], 2 * c[1], 0] })
        let report = checkJacobian(objective)
        #expect(report.verdict == .pass, "\(report.blocks.map { ($0.name, $0.verdict) })")
        #expect(report.blocks.map(\.name) == ["∂y/∂u", "∂y/∂v"])
        #expect(report.blocks[1].diagnosis.map(\.code) == [.noEffect])
        #expect(report.blocks[0].diagnosis.isEmpty)
    }

    /// A large Jacobian is checked through random projections; a mistake in one output block
    /// is localised to its pairs.
    @Test func projectionsLocaliseTheGuiltyOutput() {
        let n = 40
        let point = (0..<n).map { Foundation.sin(Double($0)) }
        // Outputs: a = tanh(x) (n entries), b = x² (300 entries: x repeated), 340 > maxRows? no —
        // force projections with a small limit instead.
        let f: @Sendable ([Double]) -> [Double] = { x in
            x.map { Foundation.tanh($0) } + (0..<300).map { x[$0 % n] * x[$0 % n] }
        }
        let vjp: @Sendable ([Double], [Double]) -> [Double] = { x, c in
            var g = (0..<n).map { c[$0] * (1 - Foundation.tanh(x[$0]) * Foundation.tanh(x[$0])) }
            for k in 0..<300 { g[k % n] += c[n + k] * 2 * x[k % n] * 1.01 }  // 1 % too large on b
            return g
        }
        let objective = ClosureVectorObjective(
            point: point, outputs: ObjectiveBlock.consecutive([("a", [n]), ("b", [300])]),
            function: f, vjp: vjp)
        var options = JacobianOptions(projections: 2)
        options.maxRows = 16
        let report = checkJacobian(objective, options: options)
        #expect(report.jacobian == "projections")
        #expect(report.blocks.map(\.name) == ["∂a/∂x", "∂b/∂x"])
        #expect(report.blocks[0].verdict == .pass)
        #expect(report.blocks[1].verdict == .fail)
        #expect(report.blocks[1].shape == [2, n])
        #expect(Self.codes(report) == ["scale"], "\(Self.codes(report))")
    }

    @Test func budgetPicksTheLargestSampleThatFits() {
        #expect(BudgetDecision.perBlock(fitting: 10, blockSizes: [20, 3]) == 7)
        #expect(BudgetDecision.perBlock(fitting: 23, blockSizes: [20, 3]) == 20)
        #expect(BudgetDecision.perBlock(fitting: 0, blockSizes: [20, 3]) == 1)

        // A slow objective: every evaluation sleeps 2 ms; a 0.3 s budget cannot check 400 entries.
        let point = (0..<400).map { Double($0) / 400 }
        let slow = ClosureObjective(
            point: point, blocks: ObjectiveBlock.consecutive([("w", [20, 19]), ("b", [20])]),
            value: { x in
                usleep(2000); return 0.5 * x.map { $0 * $0 }.reduce(0, +)
            },
            valueAndGradient: { x in (0.5 * x.map { $0 * $0 }.reduce(0, +), x) })
        var configuration = CheckConfiguration()
        configuration.budget = 0.3
        let report = check(slow, configuration: configuration)
        let decision = try! #require(report.budget)
        #expect(report.mode == "sample")
        #expect(decision.perBlock != nil && decision.entries < 400)
        #expect(report.entries.count == decision.entries)
        #expect(report.verdict == .pass)
        #expect((decision.missProbability["w"] ?? 0) > 0)

        configuration.budget = 1e6
        let all = check(slow, configuration: configuration)
        #expect(all.mode == "full" && all.entries.count == 400 && all.budget?.perBlock == nil)
    }
}
