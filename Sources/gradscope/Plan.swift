import ArgumentParser
import Foundation
import GradCheck
import NeuralNet
import TensorCore

/// `gradscope plan`: measure a check's cost and noise once, size it for W workers, and write
/// ready-to-submit job files for Slurm, Kubernetes and one big machine.
struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Size a sharded check for W workers and write Slurm, Kubernetes and xargs job files.",
        discussion: """
            Starts the check as `gradscope check` would (same flags), measures the
            time of an evaluation and the noise, then prints the shard count, the
            number of entries (all, or the largest stratified sample that fits
            --budget) and the power that buys, and writes into --out:
              plan.json      the noise figures every shard reads (--plan), so that
                             shards of a noisy program agree on the error model
              check.sbatch   a Slurm array job (sbatch check.sbatch)
              check-job.yaml a Kubernetes Indexed Job (kubectl apply -f)
              run-local.sh   the same shards with xargs -P on one machine
            then `gradscope merge DIR/part-*.json` gives the report.

            Exit status: 0 planned, 3 the program failed while being measured,
            64 usage error, 73 the job files cannot be written.

            Examples:
              gradscope plan --exec "python3 my_cost.py" --workers 32
              gradscope plan --exec "python3 my_cost.py" --workers 8 --budget 600 --out plan/
              gradscope plan --model ex4 --workers 4 && sh gradscope-plan/run-local.sh
            """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup(title: "External programs") var execOptions: ExecOptions

    @Option(help: "full (every entry) or sample (--samples per block); --budget may turn full into sample.")
    var mode: ModeOption = .full

    @Option(help: "Entries per block in sample mode.")
    var samples: Int = 16

    @Option(help: "Step: auto (from the measured noise) or a fixed nominal step such as 1e-4.")
    var step: String = "auto"

    @Option(help: "Workers (array tasks, pods, or processes) that run shards at the same time.")
    var workers: Int = 1

    @Option(
        help: ArgumentHelp(
            "Wall-clock budget for the whole sharded check: every entry if it fits on the workers, else the largest stratified sample that does.",
            valueName: "seconds"))
    var budget: Double?

    @Option(help: ArgumentHelp("Folder for plan.json and the job files.", valueName: "dir"))
    var out: String = "gradscope-plan"

    @Option(help: ArgumentHelp("The gradscope executable the jobs run (default: this one).", valueName: "path"))
    var gradscope: String?

    @Option(
        help: ArgumentHelp(
            "The site's largest array index + 1 (Slurm's MaxArraySize, default 1001): at most this many shards.",
            valueName: "n"))
    var maxArraySize: Int = 1001

    @Option(help: ArgumentHelp("Longest a shard should run before the plan cuts more shards.", valueName: "seconds"))
    var shardSeconds: Double = 3600

    func validate() throws {
        guard workers >= 1, workers <= 1_000_000 else {
            throw ValidationError("--workers must be between 1 and 1000000, got \(workers)")
        }
        guard samples > 0 else { throw ValidationError("--samples must be positive, got \(samples)") }
        if mode == .directional {
            throw ValidationError("plan sizes full and sample checks; a directional check is already cheap")
        }
        if let budget, !(budget.isFinite && budget > 0) {
            throw ValidationError("--budget must be a positive number of seconds, got \(budget)")
        }
        guard maxArraySize >= 2 else {
            throw ValidationError("--max-array-size must be at least 2, got \(maxArraySize)")
        }
        guard shardSeconds.isFinite, shardSeconds > 0 else {
            throw ValidationError("--shard-seconds must be positive, got \(shardSeconds)")
        }
        if step != "auto", !(Double(step).map { $0.isFinite && $0 > 0 } ?? false) {
            throw ValidationError("--step must be 'auto' or a positive number, got '\(step)'")
        }
    }

    func run() throws {
        var configuration = CheckConfiguration(
            mode: mode.mode(samples: samples, directions: 1),
            step: step == "auto" ? .auto : .fixed(Double(step)!), seed: modelOptions.seed)
        configuration.stopAfterPlan = true
        configuration.diagnose = false
        let (title, report) = try measure(configuration)
        guard report.verdict != .error || report.errorMessage == nil, let measured = report.plan,
            let noise = report.measuredNoise
        else {
            FileHandle.standardError.write(
                Data("gradscope: evaluation error: \(report.errorMessage ?? "the check could not be planned")\n".utf8))
            throw ExitCode(ExitStatus.evaluation)
        }
        let layout = ShardLayout(
            plan: measured, blockSizes: measured.blockSizes, mode: mode, samples: samples, workers: workers,
            budget: budget, shardSeconds: shardSeconds, maxShards: maxArraySize - 1)
        let directory = URL(fileURLWithPath: out, isDirectory: true).standardizedFileURL
        let command = shardCommand(layout: layout, directory: directory)
        let file = PlanFile(
            noise: noise, shards: layout.shards, workers: workers, entries: layout.entries,
            fullEntries: measured.fullEntries, perBlock: layout.perBlock,
            secondsPerEvaluation: measured.secondsPerEvaluation, estimatedSeconds: layout.wallSeconds,
            command: command)
        let jobs = JobFiles(
            command: command, shards: layout.shards, workers: workers, directory: directory.path,
            workingDirectory: FileManager.default.currentDirectoryPath,
            shardSeconds: layout.secondsPerShard)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(file).write(to: directory.appendingPathComponent("plan.json"))
            try jobs.slurm.write(
                to: directory.appendingPathComponent("check.sbatch"), atomically: true, encoding: .utf8)
            try jobs.kubernetes.write(
                to: directory.appendingPathComponent("check-job.yaml"), atomically: true, encoding: .utf8)
            try jobs.local.write(
                to: directory.appendingPathComponent("run-local.sh"), atomically: true, encoding: .utf8)
        } catch {
            let failure = CLIError.output("cannot write the plan to \(directory.path): \(error.localizedDescription)")
            FileHandle.standardError.write(Data("gradscope: \(failure)\n".utf8))
            throw ExitCode(failure.exitCode)
        }
        print(layout.summary(title: title, secondsPerEvaluation: measured.secondsPerEvaluation, noise: noise))
        print("wrote \(directory.path)/{plan.json, check.sbatch, check-job.yaml, run-local.sh}")
        print("run:   sbatch --wait \(directory.path)/check.sbatch     (Slurm)")
        print("       kubectl apply -f \(directory.path)/check-job.yaml  (Kubernetes; set the image first)")
        print("       sh \(directory.path)/run-local.sh                  (this machine, \(workers) at a time)")
        print("then:  \(JobFiles.quote(gradscopePath)) merge \(directory.path)/part-*.json")
    }

    /// The check's preamble (hello, gradient, noise, timing probe) without its bulk.
    func measure(_ configuration: CheckConfiguration) throws -> (String, GradientReport) {
        if let command = execOptions.exec ?? execOptions.execFDs {
            return try execOptions.check(command, modelOptions: modelOptions).run(configuration)
        }
        switch modelOptions.dtype ?? .float64 {
        case .float32:
            let problem: SupervisedProblem<Float> = try modelOptions.problem()
            return (problem.name, GradCheck.check(try ModelOptions.objective(problem), configuration: configuration))
        case .float64:
            let problem: SupervisedProblem<Double> = try modelOptions.problem()
            return (problem.name, GradCheck.check(try ModelOptions.objective(problem), configuration: configuration))
        }
    }

    var gradscopePath: String {
        gradscope ?? (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }

    /// The shard's command: this invocation's check flags, plan-only flags removed, the
    /// sample the layout chose, the plan file and the shard's part file (K from the scheduler).
    func shardCommand(layout: ShardLayout, directory: URL) -> [String] {
        let raw = Array(CommandLine.arguments.drop { $0 != "plan" }.dropFirst())
        let planOnly: Set<String> = [
            "--workers", "--budget", "--out", "--gradscope", "--max-array-size", "--shard-seconds", "--mode",
            "--samples"
        ]
        var kept = [String]()
        var skip = false
        for arg in raw {
            if skip { skip = false; continue }
            let name = arg.split(separator: "=", maxSplits: 1).first.map(String.init) ?? arg
            if planOnly.contains(name) { skip = !arg.contains("="); continue }
            kept.append(arg)
        }
        var command = [gradscopePath, "check"] + kept
        if let k = layout.perBlock {
            command += ["--mode", "sample", "--samples", String(k)]
        } else {
            command += ["--mode", "full"]
        }
        command += ["--plan", directory.appendingPathComponent("plan.json").path]
        return command
    }
}

/// How many shards, and how many entries, a plan chooses.
struct ShardLayout {
    var shards: Int
    var entries: Int
    var perBlock: Int?
    var secondsPerShard: Double
    var wallSeconds: Double
    var missProbability: Double
    var workers: Int

    /// - Entries: all, unless --budget cannot fit them on the workers (then the largest
    ///   stratified sample that fits), or the user asked for a sample.
    /// - Shards: the workers, or more when a shard would run longer than `shardSeconds`
    ///   (at most `maxShards`). Each shard also measures the pilots (8 per block, 4.3
    ///   evaluations each) and its point's gradient.
    init(
        plan: CheckPlan, blockSizes: [Int], mode: ModeOption, samples: Int, workers: Int, budget: Double?,
        shardSeconds: Double, maxShards: Int
    ) {
        let t = plan.secondsPerEvaluation, perEntry = plan.evaluationsPerEntry
        let pilots = Double(blockSizes.reduce(0) { $0 + min(8, $1) })
        let overhead = (1 + 4.3 * pilots) * t
        var perBlock: Int? = mode == .sample ? samples : nil
        func count(_ k: Int?) -> Int { k.map { k in blockSizes.reduce(0) { $0 + min($1, k) } } ?? plan.fullEntries }
        if let budget {
            let capacity = Int(max(0, Double(workers) * (budget - overhead)) / max(perEntry * t, 1e-12))
            if count(perBlock) > capacity {
                perBlock = BudgetDecision.perBlock(fitting: capacity, blockSizes: blockSizes)
            }
        }
        entries = count(perBlock)
        self.perBlock = perBlock
        let work = Double(entries) * perEntry * t
        var shards = workers
        if work / Double(shards) + overhead > shardSeconds {
            shards = Int((work / max(shardSeconds - overhead, 1)).rounded(.up))
        }
        shards = max(1, min(shards, maxShards, max(1, entries)))
        self.shards = shards
        secondsPerShard = work / Double(shards) + overhead
        let waves = (Double(shards) / Double(workers)).rounded(.up)
        wallSeconds = waves * secondsPerShard
        self.workers = workers
        let worst = blockSizes.filter { $0 > 0 }.map { 1 - Double(min($0, perBlock ?? $0)) / Double($0) }.max() ?? 0
        missProbability = worst
    }

    func summary(title: String, secondsPerEvaluation t: Double, noise: PlannedNoise) -> String {
        var lines = ["gradscope plan: \(title)"]
        lines.append(
            "measured: \(CostEstimate.duration(t)) per evaluation; noise σ = \(shortNumber(noise.sigma)) [\(noise.source)]"
        )
        let what =
            perBlock.map { "a stratified sample of \($0) entries per block: \(entries) entries" }
            ?? "every entry: \(entries) entries"
        lines.append("check:    \(what)")
        lines.append(
            "shards:   \(shards) on \(workers) worker\(workers == 1 ? "" : "s"), about \(CostEstimate.duration(secondsPerShard)) each, \(CostEstimate.duration(wallSeconds)) in all"
        )
        if missProbability > 0 {
            let q = 1 - missProbability
            let unseen = [1, 10, 100].map { k in "\(k): \(shortNumber(Foundation.pow(missProbability, Double(k))))" }
                .joined(separator: ", ")
            lines.append(
                "power:    a mistake confined to k entries of the least sampled block goes unseen with probability (1 − \(shortNumber(q)))^k (k = \(unseen)); the merged report states the relative error each block could detect"
            )
        } else {
            lines.append(
                "power:    every entry is checked; the merged report states the relative error each block could detect")
        }
        return lines.joined(separator: "\n")
    }
}
