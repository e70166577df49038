/// A continuous colour scale: `color(at: t)` for t in [0, 1], interpolated linearly in sRGB between
/// equally spaced stops.
public struct ColorMap: Sendable, Hashable {
    public var stops: [Color]

    public init(stops: [Color]) {
        precondition(stops.count >= 2, "a colour map needs at least two stops")
        self.stops = stops
    }

    /// The colour at `t`, clamped to [0, 1].
    public func color(at t: Double) -> Color {
        let clamped = t.isNaN ? 0 : min(max(t, 0), 1)
        let position = clamped * Double(stops.count - 1)
        let index = min(Int(position), stops.count - 2)
        return stops[index].mixed(with: stops[index + 1], position - Double(index))
    }

    /// viridis (S. van der Walt and N. Smith, matplotlib 2.0, 2015): perceptually uniform, readable in
    /// grey and with colour-vision deficiencies. Stops are matplotlib's values at t = 0, 1/8, …, 1.
    public static let viridis = ColorMap(stops: [
        Color(hex: 0x440154), Color(hex: 0x472D7B), Color(hex: 0x3B528B), Color(hex: 0x2C728E),
        Color(hex: 0x21918C), Color(hex: 0x28AE80), Color(hex: 0x5EC962), Color(hex: 0xADDC30),
        Color(hex: 0xFDE725)
    ])
}
