import Testing
import GradCheck
@testable import Exec

/// Examples/exec through `gradscope check --exec`'s code path (``ExecCheck``).
struct ExampleProgramTests {
    typealias S = ExecTestSupport

    @Test func ex4Passes() {
        let report = S.run(S.example("ex4_nncost.py", "--lambda 3"))
        #expect(report.verdict == .pass, "\(report.errorMessage ?? "") \(report.blocks.map { ($0.name, $0.verdict) })")
        #expect(report.blocks.map(\.name) == ["Theta1", "Theta2"])
        #expect(report.entries.count == 38)
        #expect(report.anchors.ngRelativeDifference < 1e-9)
    }

    /// The bias column regularised in the gradient: both Θ blocks fail in column 0 only, and
    /// the diagnosis says so.
    @Test func ex4BiasRegularisationBugPointsAtColumnZero() throws {
        let report = S.run(S.example("ex4_nncost_bug.py", "--lambda 3"))
        #expect(report.verdict == .fail)
        for name in ["Theta1", "Theta2"] {
            let block = try #require(report.blocks.first { $0.name == name })
            #expect(block.verdict == .fail)
            #expect(
                block.diagnosis.contains { $0.code == .biasOnly && $0.message.contains("column 0") },
                "\(block.diagnosis)")
            let failing = report.entries.filter { $0.block == name && $0.verdict == .fail }
            #expect(failing.count == block.shape[0])
            #expect(failing.allSatisfy { $0.index % block.shape[1] == 0 })
        }
    }

    @Test func ex4BugIsSilentWithoutRegularisation() {
        #expect(S.run(S.example("ex4_nncost_bug.py", "--lambda 0")).verdict == .pass)
    }

    @Test func cs231nTwoLayerPasses() {
        let report = S.run(S.example("cs231n_twolayer.py", "--reg 0.05"))
        #expect(report.verdict == .pass, "\(report.errorMessage ?? "") \(report.blocks.map { ($0.name, $0.verdict) })")
        #expect(report.blocks.map(\.name) == ["W1", "b1", "W2", "b2"])
    }

    @Test func softmaxCrossEntropyNodesPass() {
        let report = S.run(S.example("softmax_ce_nodes.py"))
        #expect(report.verdict == .pass, "\(report.errorMessage ?? "")")
    }

    @Test func softmaxDiagonalBugFails() {
        let report = S.run(S.example("softmax_ce_nodes.py", "--diagonal-bug"))
        #expect(report.verdict == .fail)
        #expect(report.blocks.map(\.verdict) == [.fail, .fail])
    }

    @Test func sampleAndDirectionalModes() {
        #expect(S.run(S.example("ex4_nncost.py"), mode: .sample(perBlock: 4)).verdict == .pass)
        #expect(S.run(S.example("ex4_nncost.py"), mode: .directional(directions: 2)).verdict == .pass)
        #expect(S.run(S.example("ex4_nncost_bug.py"), mode: .directional(directions: 2)).verdict == .fail)
    }

    @Test(.enabled(if: ExecTestSupport.hasNumpy, "needs numpy"))
    func numpyEx4Passes() {
        let report = S.run(S.example("numpy_ex4_nncost.py", "--lambda 3"))
        #expect(report.verdict == .pass, "\(report.errorMessage ?? "")")
    }

    /// Two copies give the same report as one: the same values at the same offsets, in order.
    @Test func twoJobsMatchOneJob() {
        let one = S.run(S.example("cs231n_twolayer.py"), jobs: 1)
        let two = S.run(S.example("cs231n_twolayer.py"), jobs: 2)
        #expect(one.verdict == .pass && two.verdict == .pass)
        #expect(one.entries == two.entries)
        #expect(one.noise == two.noise && one.evaluations == two.evaluations)
    }
}

/// A program that computes in float32 and says so in its hello.
struct Float32ProgramTests {
    typealias S = ExecTestSupport

    @Test func float32ProgramPassesWithFloat32Precision() throws {
        let before = """
            import struct
            def f32(v):
                return struct.unpack('f', struct.pack('f', v))[0]
            x = [f32(0.1 * (i + 1)) for i in range(6)]
            def default(r):
                p = [f32(v) for v in point(r)]
                value = 0.0
                for v in p:
                    value = f32(value + f32(f32(v * v) * f32(1.5)))
                out = {"id": r["id"], "value": value}
                if r.get("gradient"):
                    out["gradient"] = [f32(3.0 * v) for v in p]
                return json.dumps(out)
            """
        let hello = #"json.dumps({"protocol": "gradscope/1", "x": x, "dtype": "float32"})"#
        let command = try S.script(S.rawProgram(x: "[]", hello: hello, before: before))
        let report = S.run(command)
        #expect(report.precision == .float32)
        #expect(
            report.verdict == .pass,
            "\(report.errorMessage ?? "") \(report.blocks.map { ($0.name, $0.verdict, $0.maxError) })")
    }
}
