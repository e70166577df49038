/// A labelled line marking one value, e.g. the chosen step size; it widens the axes to include it.
public struct Marker: Sendable, Hashable {
    public enum Position: Sendable, Hashable {
        /// A vertical line at this x.
        case vertical(x: Double)
        /// A horizontal line at this y.
        case horizontal(y: Double)
    }

    public var position: Position
    public var label: String
    /// `nil`: ``Color/guide``.
    public var color: Color?
    public var style: LineStyle

    public init(_ position: Position, label: String, color: Color? = nil, style: LineStyle = .solid) {
        self.position = position
        self.label = label
        self.color = color
        self.style = style
    }

    /// A vertical marker at `x`.
    public static func vertical(_ x: Double, label: String, color: Color? = nil) -> Marker {
        Marker(.vertical(x: x), label: label, color: color)
    }

    /// A horizontal marker at `y`.
    public static func horizontal(_ y: Double, label: String, color: Color? = nil) -> Marker {
        Marker(.horizontal(y: y), label: label, color: color)
    }
}
