import ArgumentParser
import Foundation
import GradCheck

/// `gradscope check --shard K/N --out part-K.json [--plan plan.json]`: check one share of the
/// entries, for `gradscope merge`.
struct ShardOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Check only shard K of N (K from 0) and write it to --out for `gradscope merge`. With N alone, K comes from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX.",
            valueName: "K/N"))
    var shard: String?

    @Option(help: ArgumentHelp("The part file a --shard run writes.", valueName: "file"))
    var out: String?

    @Option(
        help: ArgumentHelp(
            "A plan.json from `gradscope plan`: every shard uses its noise figures instead of measuring them.",
            valueName: "file"))
    var plan: String?

    func validate() throws {
        if shard == nil && out != nil { throw ValidationError("--out goes with --shard (the part file of one shard)") }
        if shard != nil && out == nil {
            throw ValidationError("--shard needs --out FILE, the part file that `gradscope merge` reads")
        }
        // K from the environment is read when the check runs (a usage error then, too).
        if let shard, !shard.contains("/") {
            _ = try parsedShard(environment: ["SLURM_ARRAY_TASK_ID": "0"])
        } else {
            _ = try parsedShard()
        }
    }

    /// The shard, with K from the scheduler's environment when only N is given.
    func parsedShard(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Shard? {
        guard let shard else { return nil }
        let parts = shard.split(separator: "/", omittingEmptySubsequences: false)
        let usage =
            "--shard takes K/N (K from 0, e.g. 2/8) or N with K from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX; got '\(shard)'"
        guard parts.count <= 2, let n = Int(parts.last!), n >= 1, n <= 1_000_000 else { throw ValidationError(usage) }
        var k: Int
        if parts.count == 2 {
            guard let given = Int(parts[0]) else { throw ValidationError(usage) }
            k = given
        } else {
            guard let text = environment["SLURM_ARRAY_TASK_ID"] ?? environment["JOB_COMPLETION_INDEX"] else {
                throw ValidationError(
                    "--shard \(n) takes K from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX, and neither is set; give K/N"
                )
            }
            guard let fromEnvironment = Int(text) else {
                throw ValidationError("the shard index in the environment is '\(text)', not a number")
            }
            k = fromEnvironment
        }
        guard k >= 0 && k < n else { throw ValidationError("shard \(k) of \(n): K must be from 0 to \(n - 1)") }
        return Shard(index: k, count: n)
    }

    /// The plan's noise figures, when --plan is given.
    func plannedNoise() throws -> PlannedNoise? {
        guard let plan else { return nil }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: plan)) } catch {
            throw CLIError.input("cannot read the plan \(plan): \(error.localizedDescription)")
        }
        do { return try JSONDecoder().decode(PlanFile.self, from: data).noise } catch {
            throw CLIError.input("\(plan) is not a plan.json from `gradscope plan`: \(error.localizedDescription)")
        }
    }

    /// Writes the part file of a sharded run.
    func write(_ report: GradientReport, shard: Shard, title: String) throws {
        guard let out else { return }
        let file = ShardFile(report: report, title: title) ?? .failed(shard: shard, title: title, report: report)
        do {
            try file.encoded().write(to: URL(fileURLWithPath: out), options: .atomic)
        } catch {
            throw CLIError.output("cannot write the part file \(out): \(error.localizedDescription)")
        }
    }
}

/// `plan.json`: what `gradscope plan` measured, for the shards (`--plan`) and for people.
struct PlanFile: Codable {
    var noise: PlannedNoise
    var shards: Int
    var workers: Int
    var entries: Int
    var fullEntries: Int
    var perBlock: Int?
    var secondsPerEvaluation: Double
    var estimatedSeconds: Double
    var command: [String]
}
