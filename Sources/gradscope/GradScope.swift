import ArgumentParser
import TensorCore

@main
struct GradScope: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gradscope",
        abstract: "Check hand-written backpropagation, and watch gradients flow.",
        discussion: """
            GradScope answers four questions with measurements:
              1. My gradient disagrees with finite differences: where is the bug?
                 → gradscope check (also --exec for any program)
              2. How close is close enough?  → gradscope check, gradscope sweep
              3. How do I backprop softmax?  → gradscope check --bug softmax-diagonal
              4. Why do my early layers stop learning?  → gradscope train, compare;
                 your own PyTorch/numpy/JAX loop → gradscope watch -- CMD

            Examples:
              gradscope tour
              gradscope check
              gradscope check --bug softmax-diagonal
              gradscope check --exec "python3 my_cost.py"
              gradscope plan --exec "python3 my_cost.py" --workers 32
              gradscope train --hidden 30,30,30,30,30 --activation sigmoid
              gradscope watch -- python3 train.py
              gradscope info --format json
            """,
        version: GradScopeVersion.string,
        subcommands: [
            Tour.self, Check.self, Sweep.self, Train.self, Compare.self, Merge.self, Plan.self, Watch.self,
            Diagnose.self, Info.self
        ]
    )
}
