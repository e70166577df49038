import ArgumentParser
import Foundation
import GradCheck
import NeuralNet
import TensorCore

/// `gradscope sweep`: the error of a central difference against the step size.
struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the error of central differences against the step h (1e-1 … 1e-14): how close is close enough.",
        discussion: """
            For chosen coordinates (default: the worst few of a check) it prints
            |D(h) − analytic| for each step and writes an SVG of the V-shaped
            curves, with guide lines for truncation (∝ h²) and rounding (∝ σ/h)
            and the checker's chosen step marked.

            Examples:
              gradscope sweep                    # ex4-debug, worst 3 entries
              gradscope sweep --dtype float32 --out sweep.svg
              gradscope sweep --bug one-entry-off --entries layer1.weight:7

            Exit status: 0 the plot was written, 3 the objective could not be
            evaluated, 64 usage error (bad flags, or a network that would need
            more memory than is available), 73 the plot cannot be written.
            """
    )

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "Inject a known mistake (see gradscope check --help).")
    var bug: BugZoo.Bug?

    @Option(help: "Coordinates as BLOCK:INDEX, comma-separated (default: the worst entries of a check).")
    var entries: String?

    @Option(help: "How many worst entries to sweep when --entries is not given.")
    var worst: Int = 3

    @Option(help: "Where to write the SVG plot.")
    var out: String = "sweep.svg"

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @OptionGroup var memory: MemoryOptions

    func validate() throws {
        guard worst >= 1 else { throw ValidationError("--worst must be at least 1, got \(worst)") }
        guard bug == nil else { return }
        let scalarBytes = (modelOptions.dtype ?? .float64) == .float32 ? 4 : 8
        try memory.enforce(
            MemoryBudget.checkEstimate(modelOptions.spec, scalarBytes: scalarBytes) { n, _ in n }, for: "this sweep")
    }

    func run() throws {
        do { try runReporting() } catch let error as CLIError {
            FileHandle.standardError.write(Data("gradscope: \(error.description)\n".utf8))
            throw ExitCode(error.exitCode)
        }
    }

    func runReporting() throws {
        let objective: any GradientObjective
        if let bug {
            objective = try bug.objective()
        } else {
            switch modelOptions.dtype ?? .float64 {
            case .float32:
                objective = try ModelOptions.objective(try modelOptions.problem() as SupervisedProblem<Float>)
            case .float64:
                objective = try ModelOptions.objective(try modelOptions.problem() as SupervisedProblem<Double>)
            }
        }
        try sweepAndEmit(objective)
    }

    func sweepAndEmit(_ objective: some GradientObjective) throws {
        let report = GradCheck.check(objective, configuration: CheckConfiguration(seed: modelOptions.seed))
        if let message = report.errorMessage { throw CLIError.evaluation(message) }
        let coordinates = try chooseCoordinates(objective, report)
        let result: SweepResult
        do { result = try GradCheck.sweep(objective, coordinates: coordinates, report: report) } catch {
            throw CLIError.evaluation(error.description)
        }
        do { try SweepReport.svg(result).write(toFile: out, atomically: true, encoding: .utf8) } catch {
            throw CLIError.output("cannot write the sweep plot to \(out): \(describe(error))")
        }
        switch format {
        case .text:
            print(SweepReport.table(result), terminator: "")
            print("plot: \(out)")
        case .json:
            let object: [String: Any] = [
                "noise": result.noise, "evaluations": result.evaluations, "plot": out,
                "curves": result.curves.map { c -> [String: Any] in
                    [
                        "block": c.block, "index": c.index, "analytic": c.analytic, "chosenStep": c.chosenStep,
                        "thirdDerivative": c.thirdDerivative,
                        "points": c.points.map {
                            ["step": $0.step, "error": $0.error.isFinite ? $0.error : NSNull() as Any]
                        }
                    ]
                }
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
    }

    func chooseCoordinates(_ objective: some GradientObjective, _ report: GradientReport) throws -> [Int] {
        guard let entries else {
            let worst = report.entries.sorted { $0.error / max($0.bound, 1e-300) > $1.error / max($1.bound, 1e-300) }
                .prefix(worst)
            return worst.map { objective.blocks[$0.blockIndex].offset + $0.index }
        }
        return try entries.split(separator: ",").map { item in
            let parts = item.split(separator: ":")
            guard parts.count == 2, let index = Int(parts[1]),
                let block = objective.blocks.first(where: { $0.name == String(parts[0]) }), index >= 0,
                index < block.count
            else {
                throw ValidationError(
                    "--entries: '\(item)' is not BLOCK:INDEX for a block of this model (\(objective.blocks.map { "\($0.name) (\($0.count))" }.joined(separator: ", ")))"
                )
            }
            return block.offset + index
        }
    }
}
