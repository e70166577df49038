import Foundation
import Testing
import TensorCore
import NeuralNet
@testable import GradCheck

/// A ReLU written by a user, outside NeuralNet, with only the public protocol: its forward and
/// derivative, and where it is not differentiable.
struct UserReLU<Scalar: TensorScalar>: ElementwiseActivation {
    /// Whether the layer declares its kink at 0 (the point of the test: it must).
    var declaresKink = true
    var kind: String { "user-relu" }
    func value(_ x: Scalar) -> Scalar { x > 0 ? x : 0 }
    func derivative(input x: Scalar, output y: Scalar) -> Scalar { x > 0 ? 1 : 0 }
    var kinks: LayerKinks { declaresKink ? .elementwise(at: [0]) : .none }
}

/// The checker asks a layer where its kinks are (``Layer/kinks``) rather than recognising its
/// name: a user's ReLU that declares its kink is kink-checked exactly like the built-in one.
struct UserLayerKinkTests {
    /// A ReLU network whose first-layer pre-activations sit 1e-7 from the kink for example 0.
    func problemNearKinks(seed: UInt64) throws -> SupervisedProblem<Double> {
        var problem: SupervisedProblem<Double> = try NoFalseAlarmTests.randomProblem(seed: seed, activation: .relu)
        var dense = problem.model.layers[0] as! Dense<Double>
        let z = Tensor.matmul(problem.inputs, .none, dense.weight, .transposed).adding(rowVector: dense.bias)
        for j in 0..<dense.outputSize { dense.bias[flat: j] -= z[0, j] - (j % 2 == 0 ? 1e-7 : -1e-7) }
        problem.model.replaceLayer(0, with: dense)
        return problem
    }

    func replacingReLUs(_ problem: SupervisedProblem<Double>, declaresKink: Bool) -> SupervisedProblem<Double> {
        var p = problem
        for (i, layer) in p.model.layers.enumerated() where layer is ReLU<Double> {
            p.model.replaceLayer(i, with: UserReLU<Double>(declaresKink: declaresKink))
        }
        return p
    }

    @Test(arguments: [2000, 2001, 2003, 2005] as [UInt64])
    func declaredKinkIsCheckedLikeTheBuiltIn(seed: UInt64) throws {
        let builtIn = try problemNearKinks(seed: seed)
        let configuration = CheckConfiguration(seed: seed)
        let reference = check(try ModelObjective(builtIn), configuration: configuration)
        let user = check(try ModelObjective(replacingReLUs(builtIn, declaresKink: true)), configuration: configuration)
        let kinks = { (r: GradientReport) in r.entries.filter { $0.verdict == .kink }.map { "\($0.block)[\($0.index)]" }
        }
        #expect(!kinks(reference).isEmpty, "the built-in ReLU network crosses no kink; the test proves nothing")
        #expect(kinks(user) == kinks(reference))
        #expect(user.verdict == reference.verdict)
        #expect(user.entries.map(\.verdict) == reference.entries.map(\.verdict))
        #expect(user.entries.map(\.numeric) == reference.entries.map(\.numeric))

        // The evidence itself: a step that moves unit 0's pre-activation of example 0 (1e-7 above
        // the kink) below it is flagged as a crossing by the built-in and the declared layer alike;
        // without the declaration the objective cannot say so, and the checker is left with the
        // black-box test of one-sided differences.
        let bias = try #require(try ModelObjective(builtIn).blocks.first { $0.name == "layer1.bias" }).offset
        let steps: [Perturbation] = [.coordinate(bias, -3e-7), .coordinate(bias, 3e-7), .coordinate(bias + 1, 3e-7)]
        let flags = { (p: SupervisedProblem<Double>) in
            try ModelObjective(p).values(at: steps).map { $0.structure ?? 0 }
        }
        let builtInFlags = try flags(builtIn)
        #expect(builtInFlags[0] != 0)
        #expect(try flags(replacingReLUs(builtIn, declaresKink: true)) == builtInFlags)
        #expect(try flags(replacingReLUs(builtIn, declaresKink: false)) == [0, 0, 0])
    }

    @Test func kinksOfTheBuiltInLayers() {
        #expect(ReLU<Double>().kinks == .elementwise(at: [0]))
        #expect(LeakyReLU<Float>().kinks == .elementwise(at: [0]))
        #expect(Sigmoid<Double>().kinks == .none && Tanh<Double>().kinks == .none && Identity<Float>().kinks == .none)
        #expect(MaxPool2D<Double>(size: 2).kinks == .selection)
        #expect(
            ReLU<Double>().activation == .relu && LeakyReLU<Double>(slope: 0.2).activation == .leakyReLU(slope: 0.2))
        #expect(
            Sigmoid<Float>().activation == .sigmoid && Tanh<Float>().activation == .tanh
                && Identity<Float>().activation == .identity)
        #expect(Dense<Double>(weight: Tensor(zeros: [2, 3]), bias: Tensor(zeros: [2])).activation == nil)
        #expect(UserReLU<Double>().activation == nil)
    }

    /// An element's branch is the number of kinks below its input; at a kink it is on the lower one.
    @Test func branches() {
        let hardTanh = LayerKinks.elementwise(at: [-1, 1])
        #expect([-2.0, -1, -0.5, 1, 1.5].map { hardTanh.branch($0) } == [0, 0, 1, 1, 2])
        #expect(LayerKinks.none.branch(3.0) == 0)
        let a = LayerTape<Double>(input: Tensor(shape: [1, 3], scalars: [-2, 0.5, 3]), output: Tensor(zeros: [1, 3]))
        let b = LayerTape<Double>(
            input: Tensor(shape: [1, 3], scalars: [-1.5, 0.9, 1.2]), output: Tensor(zeros: [1, 3]))
        let c = LayerTape<Double>(input: Tensor(shape: [1, 3], scalars: [-2, 0.5, 0.9]), output: Tensor(zeros: [1, 3]))
        #expect(hardTanh.sameBranches(a, b))
        #expect(!hardTanh.sameBranches(a, c))
        #expect(LayerKinks.none.sameBranches(a, c))
        #expect(LayerKinks(.relu) == .elementwise(at: [0]) && LayerKinks(.tanh) == .none)
    }
}
