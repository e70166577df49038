import ArgumentParser
@testable import gradscope

/// Runs a command line as the CLI would and returns its exit status.
func exitStatus(_ arguments: [String]) -> Int32 {
    do {
        var command = try GradScope.parseAsRoot(arguments)
        try command.run()
        return 0
    } catch {
        return GradScope.exitCode(for: error).rawValue
    }
}
