import Foundation
import Testing
import NeuralNet
import TensorCore
@testable import GradCheck

/// A check run as N shards and merged gives the unsharded report: the same entries bit for bit,
/// block verdicts, diagnosis, anchors and power.
struct ShardMergeTests {
    /// The shards' part files, written and read back as `gradscope merge` reads them.
    static func parts(
        _ objective: some GradientObjective, _ configuration: CheckConfiguration, count: Int
    ) throws -> [(name: String, file: ShardFile)] {
        try (0..<count).map { k in
            var c = configuration
            c.shard = Shard(index: k, count: count)
            let report = check(objective, configuration: c)
            let file = try #require(ShardFile(report: report, title: "test"))
            return ("part-\(k).json", try ShardFile.decode(try file.encoded()))
        }
    }

    static func expectSame(
        _ merged: GradientReport, _ whole: GradientReport, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(merged.entries == whole.entries, sourceLocation: sourceLocation)
        #expect(merged.blocks == whole.blocks, sourceLocation: sourceLocation)
        #expect(merged.verdict == whole.verdict, sourceLocation: sourceLocation)
        #expect(merged.diagnosis == whole.diagnosis, sourceLocation: sourceLocation)
        #expect(merged.anchors == whole.anchors, sourceLocation: sourceLocation)
        #expect(merged.noise == whole.noise && merged.value == whole.value, sourceLocation: sourceLocation)
    }

    @Test(arguments: [1, 3, 7])
    func builtInModelMergesToTheUnshardedReport(_ count: Int) throws {
        // A failing model (so that the diagnosis, hypotheses included, is compared too) and a
        // passing one, in full and sample mode.
        for bug in [BugZoo.Bug.missingOneOverM, .outputDeltaSign] {
            let objective = try bug.objective()
            for mode in [CheckConfiguration.Mode.full, .sample(perBlock: 5)] {
                let configuration = CheckConfiguration(mode: mode, seed: 3)
                let whole = check(objective, configuration: configuration)
                let merged = try ShardMerge.merge(try Self.parts(objective, configuration, count: count)).report
                Self.expectSame(merged, whole)
                #expect(whole.verdict == .fail)
            }
        }
        let problem: SupervisedProblem<Double> = try Preset.ex4Debug.problem(ArchitectureSpec(lambda: 1))
        let passing = try ModelObjective(problem)
        let whole = check(passing)
        Self.expectSame(try ShardMerge.merge(try Self.parts(passing, CheckConfiguration(), count: count)).report, whole)
        #expect(whole.verdict == .pass)
    }

    @Test func mergeRefusesForeignDuplicateAndMissingShards() throws {
        let objective = try BugZoo.Bug.outputDeltaSign.objective()
        let parts = try Self.parts(objective, CheckConfiguration(), count: 3)
        #expect(throws: MergeError.missing(indices: [1], count: 3)) { try ShardMerge.merge([parts[0], parts[2]]) }
        #expect(throws: MergeError.duplicate(index: 0, files: ["part-0.json", "again.json"])) {
            try ShardMerge.merge(parts + [("again.json", parts[0].file)])
        }
        let other = try Self.parts(objective, CheckConfiguration(seed: 9), count: 3)
        do {
            _ = try ShardMerge.merge([parts[0], parts[1], ("other-2.json", other[2].file)])
            Issue.record("a shard of another check was merged")
        } catch {
            #expect(
                error.description.hasPrefix(
                    "other-2.json does not belong with the other shards: it checked a different problem, point, seed or settings"
                ))
        }
        // Partial: the entries that are there, and a pass is not established.
        let partial = try ShardMerge.merge([parts[0], parts[2]], partial: true).report
        #expect(partial.diagnosis.contains { $0.code == .partialMerge })
        #expect(partial.entries.count == parts[0].file.entries.count + parts[2].file.entries.count)
    }

    /// A failed shard is reported and the rest stands; its rerun replaces it.
    @Test func failedShardStaysLocal() throws {
        let objective = try BugZoo.Bug.outputDeltaSign.objective()
        var parts = try Self.parts(objective, CheckConfiguration(), count: 3)
        var broken = parts[1].file
        broken.entries = []
        broken.error = "the program was killed by signal 9 (SIGKILL) before answering request 12"
        let withFailure = try ShardMerge.merge([parts[0], ("part-1-crashed.json", broken), parts[2]]).report
        #expect(withFailure.diagnosis.contains { $0.code == .shardError && $0.message.contains("SIGKILL") })
        #expect(withFailure.entries.count == parts[0].file.entries.count + parts[2].file.entries.count)
        #expect(withFailure.verdict == .fail)  // the bug is found in the shards that ran
        parts.append(("part-1-crashed.json", broken))
        Self.expectSame(try ShardMerge.merge(parts).report, check(objective))
    }
}
