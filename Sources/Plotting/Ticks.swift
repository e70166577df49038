/// A labelled tick: its value and its text.
public struct Tick: Sendable, Hashable {
    public var value: Double
    public var label: String

    public init(value: Double, label: String) {
        self.value = value
        self.label = label
    }
}

/// Tick positions, and the axis limits they imply.
public struct TickSet: Sendable, Hashable {
    /// The axis limits: the data range widened to the outer ticks, or the limits asked for.
    public var domain: ClosedRange<Double>
    /// Labelled ticks, ascending.
    public var major: [Tick]
    /// Unlabelled ticks between the major ones, ascending.
    public var minor: [Double]
}
