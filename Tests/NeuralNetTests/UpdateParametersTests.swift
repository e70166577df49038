import Testing
import TensorCore
@testable import NeuralNet

/// `Sequential.updateParameters` changes every block in place, in block order, without copying
/// the storage, and keeps tied layers in step with their owners.
struct UpdateParametersTests {
    @Test func updatesEveryBlockInPlace() throws {
        var model: Sequential<Double> = try ArchitectureSpec(
            layers: [4, 5, 3], activation: .tanh, initializer: .xavierUniform, seed: 1
        )
        .makeModel(sizes: [4, 5, 3])
        let before = model.parameters.map { $0.scalars.map { $0 } }  // copies, so the storage stays unshared
        let address = (model.layers[0] as! Dense<Double>).weight.withUnsafeBufferPointer {
            UnsafeRawPointer($0.baseAddress!)
        }
        var visited = [Int]()
        model.updateParameters { index, tensor in
            visited.append(index)
            tensor.update { $0 + Double(index + 1) }
        }
        #expect(visited == [0, 1, 2, 3])
        for (b, (after, old)) in zip(model.parameters, before).enumerated() {
            #expect(after.scalars == old.map { $0 + Double(b + 1) })
        }
        #expect(
            (model.layers[0] as! Dense<Double>).weight.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress!) }
                == address)
    }

    @Test func tiedLayersFollowTheirOwner() throws {
        var model = try Sequential<Double>(
            inputShape: [3],
            layers: [Dense(inputSize: 3, outputSize: 3), Tanh(), Dense(inputSize: 3, outputSize: 3)],
            loss: MeanSquaredError())
        try model.tie(2, to: 0)
        model.updateParameters { _, tensor in tensor.update { $0 + 1 } }
        #expect(model.layers[2].parameters == model.layers[0].parameters)
        #expect(model.layers[0].parameters[0].scalars.allSatisfy { $0 == 1 })
    }

    /// A layer without its own `updateParameter` goes through `parameters` (the default).
    @Test func defaultImplementationGoesThroughParameters() {
        var conv = Conv2D<Float>(inputChannels: 1, outputChannels: 2, kernelSize: 2)
        conv.updateParameter(1) { $0.update { _ in 7 } }
        #expect(conv.bias.scalars == [7, 7])
        var pool: any Layer<Float> = MaxPool2D<Float>(size: 2)
        pool.parameters = []
        #expect(pool.parameters.isEmpty)
    }
}
