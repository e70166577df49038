import TensorCore

/// Targets for a batch: class indices (`0..<K`, one per example) or a dense `[N, K]` tensor
/// (one-hot rows, probabilities, or regression targets).
public enum Targets<Scalar: TensorScalar>: Sendable, Equatable {
    case classes([Int])
    case dense(Tensor<Scalar>)

    /// The number of examples.
    public var count: Int {
        switch self {
        case .classes(let c): return c.count
        case .dense(let t): return t.shape.first ?? 0
        }
    }

    /// The targets as a dense `[N, classes]` tensor (one-hot for class indices).
    public func dense(classes: Int) -> Tensor<Scalar> {
        switch self {
        case .dense(let t): return t
        case .classes(let labels):
            var t = Tensor<Scalar>(zeros: [labels.count, classes])
            for (i, y) in labels.enumerated() { t[flat: i * classes + y] = 1 }
            return t
        }
    }

    /// The targets for the examples at `indices`, in that order.
    public func selecting(_ indices: [Int]) -> Targets {
        switch self {
        case .classes(let c): return .classes(indices.map { c[$0] })
        case .dense(let t):
            let k = t.count / Swift.max(1, t.shape[0])
            var out = [Scalar](); out.reserveCapacity(indices.count * k)
            for i in indices { out.append(contentsOf: t.scalars[(i * k)..<((i + 1) * k)]) }
            return .dense(Tensor(shape: [indices.count] + t.shape.dropFirst(), scalars: out))
        }
    }
}

/// A loss averaged over the examples of a batch, with its exact gradient.
public protocol Loss<Scalar>: Sendable {
    associatedtype Scalar: TensorScalar
    /// The name used on the command line (`softmax-ce`).
    var kind: String { get }
    /// The mean loss over the batch (accumulated in Double) and ∂L/∂output.
    func evaluate(_ output: Tensor<Scalar>, targets: Targets<Scalar>) -> (value: Double, gradient: Tensor<Scalar>)
    /// The mean loss alone (the gradient checker's hot path); defaults to ``evaluate(_:targets:)``.
    func value(_ output: Tensor<Scalar>, targets: Targets<Scalar>) -> Double
}

extension Loss {
    public func value(_ output: Tensor<Scalar>, targets: Targets<Scalar>) -> Double {
        evaluate(output, targets: targets).value
    }
}

extension Targets {
    /// Σᵢ Σₖ yᵢₖ·zᵢₖ: for class indices the sum of each row's target entry.
    func dot(_ z: Tensor<Scalar>) -> Double {
        let k = z.shape[1]
        switch self {
        case .classes(let labels):
            let offsets = labels.enumerated().map { $0.offset * k + $0.element }
            return z.withUnsafeBufferPointer { Scalar.sum($0, at: offsets) }
        case .dense(let y):
            return z.withUnsafeBufferPointer { a in y.withUnsafeBufferPointer { b in Scalar.dot(a, b) } }
        }
    }
}

extension Loss {
    /// Checks that `targets` fit an output of shape `[N, K]`: counts, shapes and label range.
    public func validate(targets: Targets<Scalar>, examples: Int, outputs: Int) throws(ModelError) {
        guard targets.count == examples else {
            throw .targetShapeMismatch(expected: "\(examples) examples", got: "\(targets.count)")
        }
        switch targets {
        case .classes(let labels):
            for (i, y) in labels.enumerated() where y < 0 || y >= outputs {
                throw .labelOutOfRange(index: i, label: y, classes: outputs)
            }
        case .dense(let t):
            guard t.shape == [examples, outputs] else {
                throw .targetShapeMismatch(expected: "shape \([examples, outputs])", got: "shape \(t.shape)")
            }
            if let bad = t.scalars.firstIndex(where: { !$0.isFinite }) {
                throw .nonFinite(what: "targets", offset: bad)
            }
        }
    }
}
