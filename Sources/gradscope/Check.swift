import ArgumentParser
import Foundation
import GradCheck
import NeuralNet
import TensorCore

/// `gradscope check`: compare analytic and numerical gradients with calibrated error bounds.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a network's gradient against calibrated numerical derivatives.",
        discussion: """
            Each entry is compared with a Richardson-extrapolated central
            difference whose error bound the method estimates itself (truncation,
            rounding, measured noise). Failing blocks are diagnosed: scale (1/m, 2),
            sign, transpose, regularisation, bias-only, softmax-diagonal, …

            Exit status: 0 pass, 1 fail, 2 inconclusive, 3 evaluation error,
            64 usage error (bad flags, a non-finite --step, or a network that
            would need more memory than is available or --max-memory), 65 an
            unreadable --plan file, 73 the --report, --text or --out file cannot
            be written (the report is printed first, with its verdict). With
            --shard: 0 once the part file is written (the verdict is the
            merge's), 3 when the program failed (the part file records the error).

            Examples:
              gradscope check                     # ex4's checkNNGradients network
              gradscope check --model ex4-debug --lambda 3 --dtype float32
              gradscope check --bug bias-reg-gradient   # a classic mistake
              gradscope check --layers 8,16,4 --activation relu --mode sample
              gradscope check --model ex4 --mode directional --format json
              gradscope check --report check.html
              gradscope check --exec "python3 my_cost.py" --jobs 2  # docs/exec.md
              gradscope check --exec "python3 my_cost.py" --budget 60
              gradscope check --model ex4 --shard 0/4 --out part-0.json  # docs/scale-out.md
            """
    )

    @OptionGroup var modelOptions: ModelOptions

    @OptionGroup(title: "External programs") var execOptions: ExecOptions

    @OptionGroup(title: "Shards (see gradscope merge and gradscope plan)") var shardOptions: ShardOptions

    @Option(help: "full (every entry), sample (--samples per block) or directional (--directions random directions).")
    var mode: ModeOption = .full

    @Option(help: "Entries per block in sample mode.")
    var samples: Int = 16

    @Option(help: "Random directions in directional mode.")
    var directions: Int = 2

    @Option(help: "Step: auto (from the measured noise) or a fixed nominal step such as 1e-4.")
    var step: String = "auto"

    @Option(help: "Inject a known mistake: \(BugZoo.Bug.allCases.map(\.rawValue).joined(separator: ", ")).")
    var bug: BugZoo.Bug?

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Option(help: "Also write an HTML report with per-block heatmaps of error/bound.")
    var report: String?

    @Option(help: "Rows per block in the text table.")
    var rows: Int = 8

    @Option(help: ArgumentHelp("Also write the plain text report (no colour) to this file.", valueName: "file"))
    var text: String?

    @Option(
        help: ArgumentHelp(
            "Time budget for the whole check: the first evaluations are timed, then every entry is checked if that fits, else the largest stratified sample that does.",
            valueName: "seconds"))
    var budget: Double?

    @OptionGroup var memory: MemoryOptions

    func validate() throws {
        guard samples > 0 else { throw ValidationError("--samples must be positive, got \(samples)") }
        guard directions > 0 else { throw ValidationError("--directions must be positive, got \(directions)") }
        guard rows >= 0 else { throw ValidationError("--rows must be 0 or more, got \(rows)") }
        _ = try stepChoice()
        if let budget, !(budget.isFinite && budget > 0) {
            throw ValidationError("--budget must be a positive number of seconds, got \(budget)")
        }
        if shardOptions.shard != nil && mode == .directional {
            throw ValidationError(
                "--shard splits the entries of full and sample checks; directional checks are already cheap")
        }
        if shardOptions.shard != nil && budget != nil {
            throw ValidationError(
                "--shard and --budget cannot be combined: `gradscope plan --budget` sizes a sharded check")
        }
        try refuseOversizedCheck()
    }

    /// 'auto' or a number. A malformed, zero, negative or non-finite (nan, inf) step is a usage
    /// error (64).
    func stepChoice() throws -> CheckConfiguration.Step {
        if step == "auto" { return .auto }
        guard let h = Double(step), h.isFinite, h > 0 else {
            throw ValidationError("--step must be 'auto' or a positive finite number, got '\(step)'")
        }
        return .fixed(h)
    }

    func run() throws {
        do { try runReporting() } catch let error as CLIError {
            FileHandle.standardError.write(Data("gradscope: \(error.description)\n".utf8))
            throw ExitCode(error.exitCode)
        }
    }

    func runReporting() throws {
        var configuration = CheckConfiguration(
            mode: mode.mode(samples: samples, directions: directions),
            step: try stepChoice(), seed: modelOptions.seed)
        let progress = ProgressBar(label: "checking")
        configuration.progress = { done, total in progress.update(done, of: total) }
        configuration.budget = budget
        let shard = try shardOptions.parsedShard()
        configuration.shard = shard
        configuration.plannedNoise = try shardOptions.plannedNoise()
        let external = execOptions.exec != nil || execOptions.execFDs != nil
        let full = mode == .full && budget == nil && shard == nil
        configuration.planned = { plan in
            guard external || plan.estimatedSeconds > 30 else { return }
            FileHandle.standardError.write(Data((CostEstimate(plan: plan).line + "\n").utf8))
            if full && plan.fullSeconds > 60 {
                FileHandle.standardError.write(
                    Data(
                        "gradscope: a full check takes more than a minute here; --mode sample or --budget SECONDS checks a stratified sample and reports the power it buys\n"
                            .utf8))
            }
        }
        let (title, report) = try runCheck(configuration)
        progress.finish()
        try emit(report, title: title)
        if let shard {
            try shardOptions.write(report, shard: shard, title: title)
            // A shard's verdict is the merge's to give: 0 once its part is written, 3 when its
            // program failed (the part file records the error for the merge).
            if let message = report.errorMessage {
                FileHandle.standardError.write(Data("gradscope: evaluation error: \(message)\n".utf8))
            }
            throw ExitCode(report.verdict == .error ? 3 : 0)
        }
        if let message = report.errorMessage {
            FileHandle.standardError.write(Data("gradscope: evaluation error: \(message)\n".utf8))
        }
        throw ExitCode(report.verdict.exitCode)
    }

    func runCheck(_ configuration: CheckConfiguration) throws -> (String, GradientReport) {
        if let command = execOptions.exec ?? execOptions.execFDs { return try runExecCheck(command, configuration) }
        if let bug {
            let objective = try bug.objective()
            return ("--bug \(bug.rawValue): \(bug.summary)", checkModel(objective, configuration))
        }
        switch modelOptions.dtype ?? .float64 {
        case .float32:
            let problem: SupervisedProblem<Float> = try modelOptions.problem()
            return (title(problem), checkModel(try ModelOptions.objective(problem), configuration))
        case .float64:
            let problem: SupervisedProblem<Double> = try modelOptions.problem()
            return (title(problem), checkModel(try ModelOptions.objective(problem), configuration))
        }
    }

    /// A built-in model's check; unsharded, a failing regularised model is checked again at λ = 0.
    func checkModel<O: DiagnosableObjective>(_ objective: O, _ configuration: CheckConfiguration) -> GradientReport {
        configuration.shard == nil
            ? checkSeparatingRegularization(objective, configuration: configuration)
            : check(objective, configuration: configuration)
    }

    func title<S: TensorScalar>(_ p: SupervisedProblem<S>) -> String {
        "\(p.name), \(p.model.parameterCount) parameters, m = \(p.inputs.shape[0]), λ = \(shortNumber(p.model.regularization.lambda))"
    }

    func emit(_ report: GradientReport, title: String) throws {
        try ReportOutput(
            format: format, rows: rows, html: self.report, text: text,
            builtInModel: execOptions.exec == nil && execOptions.execFDs == nil
        ).emit(report, title: title)
    }
}

enum ModeOption: String, ExpressibleByArgument, CaseIterable {
    case full, sample, directional
    func mode(samples: Int, directions: Int) -> CheckConfiguration.Mode {
        switch self {
        case .full: return .full
        case .sample: return .sample(perBlock: samples)
        case .directional: return .directional(directions: directions)
        }
    }
}

extension BugZoo.Bug: ExpressibleByArgument {}
