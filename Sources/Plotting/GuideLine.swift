import Foundation

/// A reference line that does not widen the axes: drawn across the whole x range and clipped to the
/// plot, dashed by default, listed in the legend.
public struct GuideLine: Sendable, Hashable {
    public enum Shape: Sendable, Hashable {
        /// y = coefficient · x^exponent: a straight line of slope `exponent` on log-log axes.
        case powerLaw(coefficient: Double, exponent: Double)
        /// y = constant.
        case horizontal(y: Double)
    }

    public var label: String
    public var shape: Shape
    /// `nil`: ``Color/guide``.
    public var color: Color?
    public var style: LineStyle
    public var width: Double

    public init(_ label: String, shape: Shape, color: Color? = nil, style: LineStyle = .dashed, width: Double = 1.25) {
        self.label = label
        self.shape = shape
        self.color = color
        self.style = style
        self.width = width
    }

    /// The power law y = c·x^exponent through `point` (so c = y₀ / x₀^exponent), e.g. the truncation
    /// error ∝ h² or the rounding error ∝ ε/h (exponent −1) of a finite-difference sweep.
    public static func powerLaw(
        _ label: String, exponent: Double, through point: (x: Double, y: Double),
        color: Color? = nil, style: LineStyle = .dashed
    ) -> GuideLine {
        precondition(point.x > 0, "a power law through x = \(point.x) needs x > 0")
        return GuideLine(
            label, shape: .powerLaw(coefficient: point.y / Foundation.pow(point.x, exponent), exponent: exponent),
            color: color, style: style)
    }

    /// y at `x`.
    func value(at x: Double) -> Double {
        switch shape {
        case .powerLaw(let coefficient, let exponent): coefficient * Foundation.pow(x, exponent)
        case .horizontal(let y): y
        }
    }
}
