import Foundation
import NeuralNet
import TensorCore
import Testing
@testable import Training

/// A ReLU written by a user, outside NeuralNet. `fusable` decides whether it declares itself
/// TensorCore's ``Activation/relu`` (so the workspace may fuse it and the monitor describe it).
struct UserTrainingReLU<Scalar: TensorScalar>: ElementwiseActivation {
    var fusable: Bool
    var kind: String { "user-relu" }
    func value(_ x: Scalar) -> Scalar { x > 0 ? x : 0 }
    func derivative(input x: Scalar, output y: Scalar) -> Scalar { x > 0 ? 1 : 0 }
    var activation: Activation? { fusable ? .relu : nil }
    var kinks: LayerKinks { .elementwise(at: [0]) }
}

/// Training asks a layer for its activation rather than testing its type: a user's ReLU that
/// declares `.relu` is fused and monitored like the built-in one, bit for bit; one that does not
/// still trains correctly through its own forward and backward.
struct UserLayerTrainingTests {
    func trained(_ model: Sequential<Float>) throws -> (losses: [Double], weights: [[Float]], trainer: Trainer<Float>) {
        var trainer = try Trainer(
            model: model, configuration: TrainingConfiguration(epochs: 2, batchSize: 16, seed: 3, monitorEvery: 2))
        _ = try trainer.train(on: Fixtures.blobs(count: 96, features: 6, classes: 3))
        return (trainer.history.batchLosses, trainer.model.layers.flatMap { $0.parameters.map(\.scalars) }, trainer)
    }

    func withUserReLU(_ model: Sequential<Float>, fusable: Bool) -> Sequential<Float> {
        var m = model
        for (i, layer) in m.layers.enumerated() where layer is ReLU<Float> {
            m.replaceLayer(i, with: UserTrainingReLU<Float>(fusable: fusable))
        }
        return m
    }

    @Test func userReLUTrainsLikeTheBuiltIn() throws {
        let builtIn: Sequential<Float> = try Fixtures.model(sizes: [6, 12, 8, 3], activation: .relu, initializer: .he)
        let reference = try trained(builtIn)
        let fusable = withUserReLU(builtIn, fusable: true)
        #expect(
            TrainingWorkspace(model: fusable, capacity: 16).fusedActivation
                == TrainingWorkspace(model: builtIn, capacity: 16).fusedActivation)
        #expect(TrainingWorkspace(model: fusable, capacity: 16).fusedActivation.contains(true))
        let user = try trained(fusable)
        #expect(user.losses == reference.losses)
        #expect(user.weights == reference.weights)
        // The monitor reads the declared activation: the same layers and dead-unit statistics.
        #expect(user.trainer.history.layers == reference.trainer.history.layers)
        #expect(user.trainer.history.samples == reference.trainer.history.samples)

        // Undeclared: not fused, trained through its own forward and backward, to rounding.
        let plain = withUserReLU(builtIn, fusable: false)
        #expect(!TrainingWorkspace(model: plain, capacity: 16).fusedActivation.contains(true))
        let general = try trained(plain)
        #expect(general.losses.count == reference.losses.count)
        for (a, b) in zip(general.losses, reference.losses) {
            #expect(abs(a - b) <= 1e-5 * max(1, abs(b)), "\(a) vs \(b)")
        }
    }
}
