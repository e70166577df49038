import Testing
import TensorCore

/// Shape errors are programmer errors: they stop the process with a message naming the shapes.
/// Exit tests run the body in a child process and observe its exit and stderr.
struct ShapeErrorTests {
    @Test func elementwiseShapeMismatchNamesBothShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor<Float>(zeros: [2, 3]) + Tensor<Float>(zeros: [3, 2])
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("[2, 3]") && stderr.contains("[3, 2]"), "\(stderr)")
    }

    @Test func matmulInnerDimensionMismatchNamesShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.matmul(Tensor<Double>(zeros: [2, 3]), Tensor<Double>(zeros: [4, 5]))
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("[2, 3]") && stderr.contains("[4, 5]"), "\(stderr)")
    }

    @Test func reshapeToWrongCountNamesShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor<Float>(zeros: [2, 3]).reshaped(to: [4, 2])
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("[2, 3]") && stderr.contains("[4, 2]"), "\(stderr)")
    }
}
