import ArgumentParser
import TensorCore

@main
struct GradScope: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gradscope",
        abstract: "Check hand-written backpropagation, and watch gradients flow.",
        discussion: """
        GradScope answers four questions with measurements:
          1. My analytic gradient disagrees with finite differences: where is the bug?  (check)
          2. How close is close enough?                                                  (check, sweep)
          3. How do I backprop softmax?                                                  (check --bug)
          4. Why do my early layers stop learning?                                       (train)

        Examples:
          gradscope check
          gradscope check --bug softmax-diagonal
          gradscope info
          gradscope info --format json
        """,
        version: GradScopeVersion.string,
        subcommands: [Tour.self, Check.self, Sweep.self, Train.self, Compare.self, Info.self]
    )
}
