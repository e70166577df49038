/// A named curve through (x[i], y[i]). Points that cannot be drawn — NaN, ±∞, or ≤ 0 on a log axis —
/// leave a gap: the line stops before them and starts again after.
public struct LineSeries: Sendable, Hashable {
    public var name: String
    public var x: [Double]
    public var y: [Double]
    /// `nil` takes the next colour of ``Palette/lines``.
    public var color: Color?
    public var style: LineStyle
    public var width: Double
    /// Draws a dot at every point (for short, measured series such as a step-size sweep).
    public var showsPoints: Bool

    public init(
        _ name: String, x: [Double], y: [Double], color: Color? = nil, style: LineStyle = .solid,
        width: Double = 1.75, showsPoints: Bool = false
    ) {
        precondition(x.count == y.count, "series '\(name)': \(x.count) x values but \(y.count) y values")
        self.name = name
        self.x = x
        self.y = y
        self.color = color
        self.style = style
        self.width = width
        self.showsPoints = showsPoints
    }

    /// A series at x = 0, 1, 2, … (e.g. one value per batch).
    public init(
        _ name: String, y: [Double], color: Color? = nil, style: LineStyle = .solid,
        width: Double = 1.75, showsPoints: Bool = false
    ) {
        self.init(
            name, x: y.indices.map(Double.init), y: y, color: color, style: style, width: width,
            showsPoints: showsPoints)
    }
}
