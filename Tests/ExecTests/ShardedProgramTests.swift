import Foundation
import Testing
import GradCheck
@testable import Exec

/// An `--exec` program checked as N shards merges to the unsharded report, entry for entry.
struct ShardedProgramTests {
    typealias S = ExecTestSupport

    @Test(arguments: [1, 3, 7])
    func programShardsMergeToTheUnshardedReport(_ count: Int) throws {
        for example in ["ex4_nncost.py", "ex4_nncost_bug.py"] {
            let command = S.example(example)
            let whole = ExecCheck(command: command, jobs: 1, timeout: 20).run(CheckConfiguration()).report
            var parts = [(name: String, file: ShardFile)]()
            for k in 0..<count {
                var configuration = CheckConfiguration()
                configuration.shard = Shard(index: k, count: count)
                let (title, report) = ExecCheck(command: command, jobs: 1, timeout: 20).run(configuration)
                let file = try #require(ShardFile(report: report, title: title))
                parts.append(("part-\(k).json", try ShardFile.decode(try file.encoded())))
            }
            let merged = try ShardMerge.merge(parts).report
            #expect(merged.entries == whole.entries)
            #expect(merged.blocks == whole.blocks)
            #expect(merged.diagnosis == whole.diagnosis)
            #expect(merged.verdict == whole.verdict)
            #expect(merged.verdict == (example.contains("bug") ? .fail : .pass))
        }
    }

    /// A shard whose program cannot start writes a part file with the error.
    @Test func crashingShardRecordsItsError() throws {
        var configuration = CheckConfiguration()
        configuration.shard = Shard(index: 1, count: 3)
        let (title, report) = ExecCheck(command: "exit 9", jobs: 1, timeout: 5).run(configuration)
        #expect(report.verdict == .error)
        let file =
            ShardFile(report: report, title: title)
            ?? .failed(shard: Shard(index: 1, count: 3), title: title, report: report)
        #expect(file.error?.contains("exited with status 9") == true)
        #expect(file.context.shard == Shard(index: 1, count: 3))
    }
}
