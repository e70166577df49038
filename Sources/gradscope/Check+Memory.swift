import ArgumentParser
import NeuralNet

extension Check {
    /// Refuses (exit 64, with the estimate) a check of a built-in or dense network that would
    /// need more memory than `--max-memory` or the available memory, before anything is built.
    func refuseOversizedCheck() throws {
        guard execOptions.exec == nil, bug == nil else { return }
        let scalarBytes = (modelOptions.dtype ?? .float64) == .float32 ? 4 : 8
        let estimate = MemoryBudget.checkEstimate(modelOptions.spec, scalarBytes: scalarBytes) {
            [mode, samples, directions] n, blocks in
            switch mode {
            case .full: return n
            case .sample: return n.map { Swift.min($0, CheckedSize.product(samples, blocks) ?? Int.max) }
            // One record per direction, and as many again for localising a failure.
            case .directional: return CheckedSize.product(directions, 2)
            }
        }
        try memory.enforce(estimate, for: "this check")
    }
}
