import ArgumentParser
import GradCheck
import NeuralNet
import TensorCore

// The model and batch the architecture flags describe, shared by `check` and `sweep`.
extension ModelOptions {
    /// The problem the flags describe (``ArchitectureSpec/problem()``); a setting out of
    /// range is a usage error naming its flag.
    func problem<S: TensorScalar>() throws -> SupervisedProblem<S> {
        do { return try spec.problem() } catch { throw ValidationError(SettingFlags.message(error)) }
    }

    /// The checker's objective for a problem; a batch the model rejects is an evaluation error.
    static func objective<S: TensorScalar>(_ problem: SupervisedProblem<S>) throws -> ModelObjective<S> {
        do { return try ModelObjective(problem) } catch { throw CLIError.evaluation(error.description) }
    }
}
