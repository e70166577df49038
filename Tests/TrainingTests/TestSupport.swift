import Foundation
import NeuralNet
import TensorCore
@testable import Training

/// Small seeded problems for the tests: K Gaussian blobs in `features` dimensions.
enum Fixtures {
    static func blobs<S: TensorScalar>(
        _: S.Type = S.self, count: Int = 120, features: Int = 6, classes: Int = 3,
        spread: Double = 0.6, seed: UInt64 = 1
    ) -> ExampleSet<S> {
        var rng = PRNG(seed: seed)
        let centres = (0..<classes).map { _ in (0..<features).map { _ in rng.nextNormal() * 2 } }
        var x = [S](), y = [Int]()
        for i in 0..<count {
            let c = i % classes
            y.append(c)
            for f in 0..<features { x.append(S(centres[c][f] + spread * rng.nextNormal())) }
        }
        return ExampleSet(name: "blobs", inputs: Tensor(shape: [count, features], scalars: x), targets: .classes(y))
    }

    static func model<S: TensorScalar>(
        _: S.Type = S.self, sizes: [Int], activation: ActivationKind = .tanh,
        loss: LossKind = .softmaxCE, lambda: Double = 0, initializer: Initializer = .xavierUniform,
        seed: UInt64 = 7
    ) throws -> Sequential<S> {
        try ArchitectureSpec(
            layers: sizes, activation: activation, loss: loss, lambda: lambda, initializer: initializer, seed: seed
        )
        .makeModel(sizes: sizes)
    }

    static func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "gradscope-training-tests-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// The largest |a − b| / max(1, |b|) over two equal-length sequences.
func maxRelativeDifference<S: TensorScalar>(_ a: [S], _ b: [S]) -> Double {
    precondition(a.count == b.count, "lengths \(a.count) and \(b.count)")
    var worst = 0.0
    for (x, y) in zip(a, b) { worst = max(worst, abs(Double(x) - Double(y)) / max(1, abs(Double(y)))) }
    return worst
}
