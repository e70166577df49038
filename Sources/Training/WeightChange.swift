/// The sums over one parameter block that a gradient-flow reading needs, taken by the
/// optimizer while it updates the block (``Optimizer/measuredUpdate(_:along:measuring:)``),
/// so that no copy of the weights before the step is needed:
///
/// - Σ|Δw| and Σ(Δw)², with Δw = w_after − w_before as stored (rounding included, so an update
///   below the weights' resolution counts as no change);
/// - Σw², after the step;
/// - Σg², of the gradient the step used.
public struct WeightChange: Sendable, Equatable {
    public var absoluteChange: Double
    public var squaredChange: Double
    public var weightSquares: Double
    public var gradientSquares: Double

    public init(
        absoluteChange: Double = 0, squaredChange: Double = 0, weightSquares: Double = 0, gradientSquares: Double = 0
    ) {
        self.absoluteChange = absoluteChange; self.squaredChange = squaredChange
        self.weightSquares = weightSquares; self.gradientSquares = gradientSquares
    }

    static func + (a: WeightChange, b: WeightChange) -> WeightChange {
        WeightChange(
            absoluteChange: a.absoluteChange + b.absoluteChange, squaredChange: a.squaredChange + b.squaredChange,
            weightSquares: a.weightSquares + b.weightSquares, gradientSquares: a.gradientSquares + b.gradientSquares)
    }
}
