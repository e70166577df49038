/// An objective whose gradient and/or value is changed by a rule, used by the bug zoo for
/// mistakes that live outside layers (regularisation terms, scale factors, one entry).
///
/// Rules see the point and the base objective's λ and m, so that a regularisation mistake
/// vanishes at λ = 0 as it does in real code.
public struct AdjustedObjective<Base: DiagnosableObjective>: DiagnosableObjective {
    public struct Context: Sendable {
        public var x: [Double]
        public var lambda: Double
        public var examples: Int
        public var blocks: [ObjectiveBlock]
    }
    public typealias GradientRule = @Sendable (_ context: Context, _ g: [Double]) -> [Double]
    public typealias ValueRule = @Sendable (_ context: Context, _ f: Double) -> Double

    public let base: Base
    let gradientRule: GradientRule
    let valueRule: ValueRule?

    public init(_ base: Base, gradient: @escaping GradientRule = { $1 }, value: ValueRule? = nil) {
        self.base = base
        gradientRule = gradient
        valueRule = value
    }

    public var blocks: [ObjectiveBlock] { base.blocks }
    public var point: [Double] { base.point }
    public var precision: Precision { base.precision }
    public var exampleCount: Int? { base.exampleCount }

    func context(_ x: [Double]) -> Context {
        Context(x: x, lambda: base.regularization?.lambda ?? 0, examples: base.exampleCount ?? 1, blocks: blocks)
    }

    public func valueAndGradient() throws(EvaluationError) -> (value: Double, gradient: [Double]) {
        let (f, g) = try base.valueAndGradient()
        let c = context(point)
        return (valueRule?(c, f) ?? f, gradientRule(c, g))
    }

    public func values(at offsets: [Perturbation]) throws(EvaluationError) -> [Sample] {
        let samples = try base.values(at: offsets)
        guard let valueRule else { return samples }
        return zip(offsets, samples).map { offset, sample in
            var x = point
            for (i, d) in zip(offset.indices, offset.values) { x[i] = precision.representable(x[i] + d) }
            return Sample(value: valueRule(context(x), sample.value), structure: sample.structure)
        }
    }

    public func hypotheses() -> [GradientHypothesis] { base.hypotheses() }
    public var regularization: (lambda: Double, examples: Int, coveredBlocks: [Int])? { base.regularization }
    public func withoutRegularization() -> AdjustedObjective? {
        base.withoutRegularization().map { AdjustedObjective($0, gradient: gradientRule, value: valueRule) }
    }
}
