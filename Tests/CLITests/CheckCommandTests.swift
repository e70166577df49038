import ArgumentParser
import GradCheck
import Foundation
import Testing
@testable import gradscope

/// `gradscope check`'s exit statuses are a contract: 0 pass, 1 fail, 2 inconclusive,
/// 3 evaluation error, 64 usage error.
struct CheckCommandTests {
    func tempFile(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("gradscope-cli-\(UUID().uuidString)-\(name)").path
    }

    @Test func passingCheckExitsZero() {
        #expect(exitStatus(["check", "--format", "json"]) == 0)
        #expect(
            exitStatus(["check", "--model", "ex4-debug", "--lambda", "3", "--dtype", "float32", "--format", "json"])
                == 0)
        #expect(
            exitStatus([
                "check", "--layers", "4,6,3", "--activation", "tanh", "--mode", "sample", "--samples", "5", "--format",
                "json"
            ]) == 0)
    }

    @Test(arguments: ["bias-reg-gradient", "softmax-diagonal", "dropout-left-on"])
    func bugsExitOne(_ bug: String) {
        #expect(exitStatus(["check", "--bug", bug, "--format", "json"]) == 1)
    }

    @Test func usageErrorsExitSixtyFour() {
        #expect(exitStatus(["check", "--mode", "sideways"]) == 64)
        #expect(exitStatus(["check", "--step", "-1"]) == 64)
        #expect(exitStatus(["check", "--step", "0"]) == 64)
        #expect(exitStatus(["check", "--step", "tiny"]) == 64)
        #expect(exitStatus(["check", "--layers", "3,x,2"]) == 64)
        #expect(exitStatus(["check", "--model", "ex4-debug", "--layers", "3,5,3"]) == 64)
        #expect(exitStatus(["check", "--samples", "0"]) == 64)
        #expect(exitStatus(["check", "--no-such-flag"]) == 64)
    }

    /// Issue #13: a non-finite step is a usage error (it used to reach the checker, exit 3).
    @Test func nonFiniteStepIsAUsageError() {
        #expect(exitStatus(["check", "--step", "nan", "--format", "json"]) == 64)
        #expect(exitStatus(["check", "--step", "inf", "--format", "json"]) == 64)
    }

    @Test func unwritableReportExitsWithCantCreate() {
        #expect(exitStatus(["check", "--format", "json", "--report", "/nonexistent-dir/x.html"]) == 73)
    }

    @Test func htmlReportIsWritten() throws {
        let path = tempFile("report.html")
        #expect(exitStatus(["check", "--bug", "transposed-weight-gradient", "--format", "json", "--report", path]) == 1)
        let html = try String(contentsOfFile: path, encoding: .utf8)
        #expect(html.contains("<svg") && html.contains("transpose"))
        try? FileManager.default.removeItem(atPath: path)
    }

    @Test func sweepWritesItsPlot() throws {
        let path = tempFile("sweep.svg")
        #expect(exitStatus(["sweep", "--out", path, "--format", "json"]) == 0)
        let svg = try String(contentsOfFile: path, encoding: .utf8)
        #expect(svg.contains("<svg") && svg.contains("rounding"))
        #expect(exitStatus(["sweep", "--entries", "nope:3", "--out", path]) == 64)
        try? FileManager.default.removeItem(atPath: path)
    }

    @Test func everySubcommandHasHelpWithAnExample() {
        for command in GradScope.configuration.subcommands {
            let help = command.helpMessage()
            #expect(help.contains("Examples:"), "\(command.configuration.commandName ?? "\(command)")")
        }
    }
}

/// The tour is the README's main job: every step must show what it should.
struct TourCommandTests {
    @Test func tourRunsAndWritesItsIndex() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("gradscope-tour-\(UUID().uuidString)")
            .path
        var command = try GradScope.parseAsRoot(["tour", "--out", out])
        var status: Int32 = 0
        do { try command.run() } catch { status = GradScope.exitCode(for: error).rawValue }
        #expect(status == 0)
        let index = try String(contentsOfFile: out + "/index.html", encoding: .utf8)
        for title in ["1. ex4", "2. a classic bug", "3. step size", "4. softmax", "5. gradient flow"] {
            #expect(index.contains(title), "\(title)")
        }
        #expect(!index.contains("NOT as expected"))
        for file in [
            "1-ex4-check.json", "2-bias-regularisation-bug.html", "3-sweep.svg", "4-softmax-diagonal-bug.txt",
            "5-gradient-flow/gradient-flow.svg", "5-gradient-flow/report.html"
        ] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + file), "\(file)")
        }
        try? FileManager.default.removeItem(atPath: out)
    }
}

/// `--shard`, `gradscope merge` and `gradscope plan` from the command line.
struct ShardCommandTests {
    func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gradscope-shards-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func shardsMergeWithTheDocumentedExitStatuses() throws {
        let dir = try directory()
        let part = { (k: Int) in dir.appendingPathComponent("part-\(k).json").path }
        for k in 0..<3 {
            #expect(
                exitStatus([
                    "check", "--bug", "output-delta-sign", "--shard", "\(k)/3", "--out", part(k), "--format", "json"
                ]) == 0)
        }
        #expect(exitStatus(["merge", part(0), part(1), part(2), "--format", "json"]) == 1)
        #expect(exitStatus(["merge", part(0), part(2), "--format", "json"]) == 65)
        #expect(exitStatus(["merge", part(0), part(2), "--partial", "--format", "json"]) == 1)
        #expect(exitStatus(["merge", part(0), part(0), part(1), part(2), "--format", "json"]) == 65)
        #expect(exitStatus(["merge", dir.appendingPathComponent("nope.json").path]) == 66)
        let junk = dir.appendingPathComponent("junk.json").path
        try "{\"format\": 1}".write(toFile: junk, atomically: true, encoding: .utf8)
        #expect(exitStatus(["merge", junk]) == 65)
        #expect(exitStatus(["merge"]) == 64)
        // Usage: --shard needs --out; bad K/N; directional; --out alone.
        #expect(exitStatus(["check", "--shard", "0/3"]) == 64)
        #expect(exitStatus(["check", "--shard", "3/3", "--out", part(9)]) == 64)
        #expect(exitStatus(["check", "--shard", "x", "--out", part(9)]) == 64)
        #expect(exitStatus(["check", "--shard", "0/2", "--out", part(9), "--mode", "directional"]) == 64)
        #expect(exitStatus(["check", "--out", part(9)]) == 64)
    }

    @Test func shardIndexComesFromTheScheduler() throws {
        var options = try ShardOptions.parse(["--shard", "8", "--out", "p.json"])
        #expect(try options.parsedShard(environment: ["SLURM_ARRAY_TASK_ID": "5"]) == Shard(index: 5, count: 8))
        #expect(try options.parsedShard(environment: ["JOB_COMPLETION_INDEX": "7"]) == Shard(index: 7, count: 8))
        #expect(throws: (any Error).self) { try options.parsedShard(environment: [:]) }
        options = try ShardOptions.parse(["--shard", "2/4", "--out", "p.json"])
        #expect(try options.parsedShard(environment: ["SLURM_ARRAY_TASK_ID": "5"]) == Shard(index: 2, count: 4))
    }

    /// The plan's job files: the Slurm array, the Kubernetes Indexed Job's fields, and the pod's
    /// command, which runs here with JOB_COMPLETION_INDEX set.
    @Test func planWritesJobFilesThatRun() throws {
        let dir = try directory()
        let out = dir.appendingPathComponent("plan").path
        #expect(exitStatus(["plan", "--model", "ex4-debug", "--workers", "2", "--out", out]) == 0)
        let slurm = try String(contentsOfFile: out + "/check.sbatch", encoding: .utf8)
        #expect(slurm.contains("#SBATCH --array=0-1%2"))
        #expect(slurm.contains("--shard 2 --out \"\(out)/part-${SLURM_ARRAY_TASK_ID}.json\""))
        let yaml = try String(contentsOfFile: out + "/check-job.yaml", encoding: .utf8)
        for field in [
            "completionMode: Indexed", "completions: 2", "parallelism: 2", "backoffLimitPerIndex: 2",
            "restartPolicy: Never"
        ] {
            #expect(yaml.contains(field), "\(field)")
        }
        let plan = try JSONDecoder().decode(
            PlanFile.self, from: Data(contentsOf: URL(fileURLWithPath: out + "/plan.json")))
        #expect(plan.shards == 2 && plan.entries == 38 && plan.noise.sigma > 0)
    }
}
