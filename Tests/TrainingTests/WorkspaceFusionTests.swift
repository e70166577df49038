import NeuralNet
import TensorCore
import Testing

@testable import Training

/// Which layers the workspace fuses: a dense layer with the element-wise activation after it.
struct WorkspaceFusionTests {
    @Test func denseAndActivationFuse() throws {
        let model: Sequential<Float> = try Fixtures.model(sizes: [6, 5, 4, 3], activation: .sigmoid)
        let workspace = TrainingWorkspace(model: model, capacity: 4)
        // dense, sigmoid, dense, sigmoid, dense
        #expect(workspace.fusedActivation == [true, false, true, false, false])
        #expect(workspace.fusedDerivative == [false, true, false, true, false])
        #expect((0..<5).map(workspace.storesOutput) == [false, true, false, true, true])
    }
}
