import ArgumentParser
import GradCheck
import NeuralNet
import TensorCore

// The model and batch the architecture flags describe, shared by `check` and `sweep`.
extension ModelOptions {
    /// The preset, or a dense network on seeded synthetic data (inputs uniform in [−1, 1),
    /// labels uniform over the classes).
    func problem<S: TensorScalar>() throws -> SupervisedProblem<S> {
        let spec = self.spec
        do {
            if spec.layers == nil && spec.hidden == nil {
                return try (spec.preset ?? .ex4Debug).problem(spec)
            }
            let sizes = try spec.sizes(inputSize: spec.layers?.first ?? 8, outputSize: spec.layers?.last ?? 4)
            let model: Sequential<S> = try spec.makeModel(sizes: sizes)
            var rng = PRNG(seed: spec.seed &+ 1)
            let m = spec.examples ?? 8
            let x = Tensor<S>.uniform(shape: [m, sizes[0]], low: -1, high: 1, using: &rng)
            let k = sizes.last!
            let targets: Targets<S> =
                (spec.loss ?? .softmaxCE) == .mse
                ? .dense(.uniform(shape: [m, k], using: &rng))
                : .classes((0..<m).map { _ in rng.nextInt(below: k) })
            return SupervisedProblem(
                name: "dense " + sizes.map(String.init).joined(separator: "→"), model: model, inputs: x,
                targets: targets)
        } catch {
            throw ValidationError(SettingFlags.message(error))
        }
    }

    /// The checker's objective for a problem; a batch the model rejects is an evaluation error.
    static func objective<S: TensorScalar>(_ problem: SupervisedProblem<S>) throws -> ModelObjective<S> {
        do { return try ModelObjective(problem) } catch { throw CLIError.evaluation(error.description) }
    }
}
