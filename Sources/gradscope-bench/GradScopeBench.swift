import ArgumentParser

@main
struct GradScopeBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gradscope-bench", subcommands: [])
}
