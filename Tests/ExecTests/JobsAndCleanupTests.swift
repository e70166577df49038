import Foundation
import Testing
import GradCheck
@testable import Exec

struct JobsAndCleanupTests {
    typealias S = ExecTestSupport

    /// Each copy sends its own hello; copies that disagree are an error naming the job.
    @Test func mismatchingHellosAcrossJobs() throws {
        let command = try S.script(S.rawProgram(x: #"[1.0, float(os.environ["GRADSCOPE_JOB"])]"#))
        let report = S.run(command, jobs: 2)
        #expect(report.verdict == .error)
        #expect(
            report.errorMessage
                == "job 2 announced a different hello from job 1 (x[1] = 2.0 instead of 1.0); with several jobs every copy must start at the same point (seed its randomness)"
        )
    }

    /// Batches are split into contiguous runs, one per copy, and reassembled in order.
    @Test func batchesAreSplitAndKeptInOrder() throws {
        let answer =
            #"json.dumps({"id": r["id"], "value": float(os.environ["GRADSCOPE_JOB"]) * 1000 + (r["offset"]["values"][0] if "offset" in r else 0)})"#
        let command = try S.script(S.rawProgram(answer: answer))
        let objective = try ExecObjective(command: command, jobs: 3, timeout: 20)
        defer { objective.close() }
        let requests = (0..<10).map { Request(offset: .coordinate(0, Double($0))) }
        let values = try objective.evaluate(requests).map(\.value)
        #expect(values == [1000, 1001, 1002, 2003, 2004, 2005, 3006, 3007, 3008, 3009])
        #expect(try objective.evaluate([Request()]).map(\.value) == [1000])
        #expect(objective.pool.connections.map(\.nextID) == [5, 4, 5])
    }

    /// Thousands of pipelined requests in one batch (more bytes than a pipe holds either way).
    @Test func largePipelinedBatch() throws {
        let objective = try ExecObjective(command: try S.script(S.rawProgram(x: "[0.5] * 300")), jobs: 2, timeout: 20)
        defer { objective.close() }
        let requests = (0..<3000).map { Request(offset: .coordinate($0 % 300, 0.25)) }
        let values = try objective.evaluate(requests).map(\.value)
        #expect(values.count == 3000)
        #expect(values.allSatisfy { abs($0 - (0.5 * 0.25 * 300 + 0.5 * 0.75 * 0.75 - 0.5 * 0.25)) < 1e-12 })
    }

    /// close() asks the program to exit, then kills what is left of each process group
    /// (here a grandchild the program started) and collects every status: no zombies.
    @Test func closeReapsChildrenAndGrandchildren() throws {
        let directory = try S.temporaryDirectory()
        let pidFile = directory.appendingPathComponent("grandchild.pid").path
        let before =
            "import subprocess\np = subprocess.Popen(['sleep', '60'])\nopen('\(pidFile)', 'w').write(str(p.pid))"
        let objective = try ExecObjective(command: try S.script(S.rawProgram(before: before)), jobs: 2, timeout: 20)
        let pids = objective.pool.connections.map(\.process.pid)
        #expect(try objective.evaluate([Request()]).first?.value == 2.5)
        let grandchild = try #require(Int32(String(contentsOfFile: pidFile, encoding: .utf8)))
        #expect(!S.isGone(grandchild))
        objective.close()
        #expect(pids.allSatisfy(S.isGone))
        #expect(S.eventually { S.isGone(grandchild) })
        #expect(ChildRegistry.shared.live.allSatisfy { !pids.contains($0) })
    }

    /// A program that ignores both `exit` and the end of its input is killed after the grace.
    @Test func closeKillsAProgramThatWillNotExit() throws {
        let source =
            S.rawProgram() + "\nimport signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\ntime.sleep(60)\n"
        let objective = try ExecObjective(command: try S.script(source), timeout: 20)
        let pid = objective.pool.connections[0].process.pid
        let start = Date()
        objective.close(grace: 0.2)
        #expect(Date().timeIntervalSince(start) < 3)
        #expect(S.isGone(pid))
    }

    @Test func environmentNamesTheJob() throws {
        let answer =
            #"json.dumps({"id": r["id"], "value": float(os.environ["GRADSCOPE_JOB"]) * 10 + float(os.environ["GRADSCOPE_JOBS"])})"#
        let objective = try ExecObjective(command: try S.script(S.rawProgram(answer: answer)), jobs: 2, timeout: 20)
        defer { objective.close() }
        #expect(try objective.evaluate([Request(), Request()]).map(\.value) == [12, 22])
    }
}
