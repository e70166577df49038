import Foundation

/// Linear or logarithmic (base 10) mapping of data to position.
public enum ScaleKind: String, Sendable, Hashable {
    case linear
    case log
}

/// What an axis shows: its label, its scale and optionally fixed limits.
public struct Axis: Sendable, Hashable {
    public var label: String
    public var scale: ScaleKind
    /// Fixed limits; `nil` takes them from the data, widened to whole ticks (``LinearTicks``,
    /// ``LogTicks``). On a log axis both must be positive.
    public var limits: ClosedRange<Double>?

    public init(_ label: String = "", scale: ScaleKind = .linear, limits: ClosedRange<Double>? = nil) {
        if scale == .log, let limits {
            precondition(limits.lowerBound > 0, "log-axis limits must be positive, got \(limits)")
        }
        self.label = label
        self.scale = scale
        self.limits = limits
    }

    /// Whether `value` can be drawn on this axis: finite, and positive on a log axis.
    public func canShow(_ value: Double) -> Bool {
        value.isFinite && (scale == .linear || value > 0)
    }

    /// The ticks and domain for data spanning `extent` (`nil`: no drawable data).
    /// - Parameter target: the number of ticks wanted, about one per 40–90 points of axis length.
    func ticks(dataExtent extent: ClosedRange<Double>?, target: Int) -> TickSet {
        switch (scale, limits) {
        case (.linear, let limits?):
            return LinearTicks.ticks(within: limits, target: target)
        case (.log, let limits?):
            return LogTicks.ticks(within: limits, maxLabels: target)
        case (.linear, nil):
            let extent = extent ?? 0...1
            // Heckbert's loose ticks can leave much of the axis empty (data 0.1...2.4 with 3 ticks:
            // 0, 2, 4); of the tick sets for target, target + 1 and target + 2, take the one whose
            // domain the data fills best, the fewest ticks on a tie.
            let candidates = (target...target + 2).map {
                LinearTicks.ticks(low: extent.lowerBound, high: extent.upperBound, target: $0)
            }
            return candidates.max { coverage($0, extent) < coverage($1, extent) }!
        case (.log, nil):
            let extent = extent ?? 1...10
            return LogTicks.ticks(low: extent.lowerBound, high: extent.upperBound, maxLabels: target)
        }
    }

    private func coverage(_ ticks: TickSet, _ extent: ClosedRange<Double>) -> Double {
        let width = ticks.domain.upperBound - ticks.domain.lowerBound
        return width > 0 ? (extent.upperBound - extent.lowerBound) / width : 0
    }

    /// The smallest range holding every drawable value of `values`, or `nil` if there is none.
    func extent(of values: some Sequence<Double>) -> ClosedRange<Double>? {
        var low = Double.infinity
        var high = -Double.infinity
        for value in values where canShow(value) {
            low = min(low, value)
            high = max(high, value)
        }
        return low <= high ? low...high : nil
    }
}

/// Maps data values in `domain` to positions from `start` (at the domain's lower bound) to `end`.
struct PositionScale {
    var kind: ScaleKind
    var domain: ClosedRange<Double>
    var start: Double
    var end: Double

    /// The position of `value`, or `nil` if it cannot be drawn (non-finite, or ≤ 0 on a log scale).
    /// Values outside the domain map outside `start...end`.
    func position(_ value: Double) -> Double? {
        guard value.isFinite, kind == .linear || value > 0 else { return nil }
        let t: Double
        switch kind {
        case .linear:
            let width = domain.upperBound - domain.lowerBound
            t = width == 0 ? 0.5 : (value - domain.lowerBound) / width
        case .log:
            let low = log10(domain.lowerBound)
            let width = log10(domain.upperBound) - low
            t = width == 0 ? 0.5 : (log10(value) - low) / width
        }
        return start + t * (end - start)
    }
}
