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
        64 usage error.

        Examples:
          gradscope check                     # ex4's checkNNGradients network
          gradscope check --model ex4-debug --lambda 3 --dtype float32
          gradscope check --bug bias-reg-gradient   # a classic mistake
          gradscope check --layers 8,16,4 --activation relu --mode sample
          gradscope check --model ex4 --mode directional --format json
          gradscope check --report check.html
          gradscope check --exec "python3 my_cost.py" --jobs 2  # docs/exec.md
        """
    )

    @OptionGroup var modelOptions: ModelOptions

    @OptionGroup(title: "External programs") var execOptions: ExecOptions

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

    @Option(help: ArgumentHelp("Time budget for the whole check: the first evaluations are timed, then every entry is checked if that fits, else the largest stratified sample that does.", valueName: "seconds"))
    var budget: Double?

    func validate() throws {
        guard samples > 0 else { throw ValidationError("--samples must be positive, got \(samples)") }
        guard directions > 0 else { throw ValidationError("--directions must be positive, got \(directions)") }
        _ = try stepChoice()
        if let budget, !(budget.isFinite && budget > 0) {
            throw ValidationError("--budget must be a positive number of seconds, got \(budget)")
        }
    }

    /// 'auto' or a number. A malformed, zero or negative step is a usage error (64); a non-finite
    /// one (nan, inf) reaches the checker, which reports it as an evaluation error (3).
    func stepChoice() throws -> CheckConfiguration.Step {
        if step == "auto" { return .auto }
        guard let h = Double(step), !(h <= 0) else {
            throw ValidationError("--step must be 'auto' or a positive number, got '\(step)'")
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
        var configuration = CheckConfiguration(mode: mode.mode(samples: samples, directions: directions),
                                               step: try stepChoice(), seed: modelOptions.seed)
        let progress = ProgressBar(label: "checking")
        configuration.progress = { done, total in progress.update(done, of: total) }
        configuration.budget = budget
        let external = execOptions.exec != nil || execOptions.execFDs != nil
        let full = mode == .full && budget == nil
        configuration.planned = { plan in
            guard external || plan.estimatedSeconds > 10 else { return }
            FileHandle.standardError.write(Data((CostEstimate(plan: plan).line + "\n").utf8))
            if full && plan.fullSeconds > 60 {
                FileHandle.standardError.write(Data("gradscope: a full check takes more than a minute here; --mode sample or --budget SECONDS checks a stratified sample and reports the power it buys\n".utf8))
            }
        }
        let (title, report) = try runCheck(configuration)
        progress.finish()
        try emit(report, title: title)
        if let message = report.errorMessage {
            FileHandle.standardError.write(Data("gradscope: evaluation error: \(message)\n".utf8))
        }
        throw ExitCode(report.verdict.exitCode)
    }

    func runCheck(_ configuration: CheckConfiguration) throws -> (String, GradientReport) {
        if let command = execOptions.exec ?? execOptions.execFDs { return try runExecCheck(command, configuration) }
        if let bug {
            let objective = try bug.objective()
            return ("--bug \(bug.rawValue): \(bug.summary)", checkSeparatingRegularization(objective, configuration: configuration))
        }
        switch modelOptions.dtype ?? .float64 {
        case .float32:
            let problem: SupervisedProblem<Float> = try modelOptions.problem()
            return (title(problem), checkSeparatingRegularization(try ModelOptions.objective(problem), configuration: configuration))
        case .float64:
            let problem: SupervisedProblem<Double> = try modelOptions.problem()
            return (title(problem), checkSeparatingRegularization(try ModelOptions.objective(problem), configuration: configuration))
        }
    }

    func title<S: TensorScalar>(_ p: SupervisedProblem<S>) -> String {
        "\(p.name), \(p.model.parameterCount) parameters, m = \(p.inputs.shape[0]), λ = \(shortNumber(p.model.regularization.lambda))"
    }

    func emit(_ report: GradientReport, title: String) throws {
        switch format {
        case .text:
            print(TextReport(title: title, rowsPerBlock: rows, color: Terminal.isColorTTY).render(report), terminator: "")
        case .json:
            print(JSONReport.render(report))
        }
        if let path = text {
            do {
                try TextReport(title: title, rowsPerBlock: rows, color: false).render(report)
                    .write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                throw CLIError.output("cannot write the text report to \(path): \(error.localizedDescription)")
            }
        }
        if let path = self.report {
            do {
                try HTMLReport(title: title).render(report).write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                throw CLIError.output("cannot write the HTML report to \(path): \(error.localizedDescription)")
            }
        }
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
