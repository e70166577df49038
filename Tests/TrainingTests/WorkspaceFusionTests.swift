import Datasets
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

/// Labelled images become examples: flattened row-major, labels as classes, a prefix when limited.
struct ExampleSetFromImagesTests {
    @Test func imagesBecomeExamples() {
        let images = LabeledImages(
            name: "tiny", images: [0, 0.5, 1, 0.25, 0.75, 0.125, 1, 0, 0.5, 0.5, 0.25, 1], labels: [2, 0, 1],
            imageShape: [2, 2], classes: 3, maxPixelValue: 1)
        let all = ExampleSet<Double>(images)
        #expect(all.inputs.shape == [3, 4])
        #expect(all.inputs.scalars == images.images.map(Double.init))
        #expect(all.count == 3 && all.name == "tiny")
        if case .classes(let labels) = all.targets { #expect(labels == [2, 0, 1]) } else { Issue.record("not classes") }
        let two = ExampleSet<Float>(images, limit: 2)
        #expect(two.inputs.shape == [2, 4] && two.inputs.scalars == Array(images.images.prefix(8)))
        if case .classes(let labels) = two.targets { #expect(labels == [2, 0]) } else { Issue.record("not classes") }
        #expect(ExampleSet<Float>(images, limit: 10).count == 3)
    }
}
