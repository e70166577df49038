import ArgumentParser

/// Root command of the GradScope benchmark harness. Each benchmark is a
/// subcommand in its own file; add new ones to `subcommands`.
@main
struct GradScopeBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gradscope-bench",
        abstract: "GradScope performance benchmarks.",
        subcommands: [
            GemmBenchmark.self, CheckBenchmark.self, ExecBenchmark.self, ExecServe.self, TrainStepBenchmark.self,
            EpochBenchmark.self
        ]
    )
}
