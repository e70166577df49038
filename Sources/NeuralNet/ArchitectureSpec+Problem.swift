import TensorCore

extension ArchitectureSpec {
    /// The problem these settings describe on their own, without a data set: the preset
    /// (ex4-debug when neither a preset nor sizes are given) on its own data, or a dense
    /// network of the given sizes on seeded synthetic data — inputs uniform in [−1, 1), labels
    /// uniform over the classes (targets uniform in [0, 1) for `mse`), `examples` of them
    /// (8 by default), drawn from the seed + 1 (the seed itself initialises the weights).
    /// With only hidden sizes, the network has 8 inputs and 4 outputs.
    public func problem<S: TensorScalar>() throws(ModelError) -> SupervisedProblem<S> {
        if layers == nil && hidden == nil {
            return try (preset ?? .ex4Debug).problem(self)
        }
        let sizes = try self.sizes(inputSize: layers?.first ?? 8, outputSize: layers?.last ?? 4)
        let model: Sequential<S> = try makeModel(sizes: sizes)
        var rng = PRNG(seed: seed &+ 1)
        let m = examples ?? 8
        let x = Tensor<S>.uniform(shape: [m, sizes[0]], low: -1, high: 1, using: &rng)
        let k = sizes.last!
        let targets: Targets<S> =
            (loss ?? .softmaxCE) == .mse
            ? .dense(.uniform(shape: [m, k], using: &rng))
            : .classes((0..<m).map { _ in rng.nextInt(below: k) })
        return SupervisedProblem(
            name: "dense " + sizes.map(String.init).joined(separator: "→"), model: model, inputs: x, targets: targets)
    }
}
