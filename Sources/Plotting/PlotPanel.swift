/// One set of axes' content: curves, guides and markers against a y axis. The x axis belongs to the
/// chart holding the panel (``LineChart``, ``StackedChart``).
public struct PlotPanel: Sendable, Hashable {
    /// Shown above the panel, left-aligned; "" for none.
    public var title: String
    public var yAxis: Axis
    public var series: [LineSeries]
    public var guides: [GuideLine]
    public var markers: [Marker]
    /// The panel's share of the chart's height relative to the other panels.
    public var heightWeight: Double

    public init(
        title: String = "", yAxis: Axis = Axis(), series: [LineSeries] = [], guides: [GuideLine] = [],
        markers: [Marker] = [], heightWeight: Double = 1
    ) {
        precondition(heightWeight > 0, "height weight must be positive")
        self.title = title
        self.yAxis = yAxis
        self.series = series
        self.guides = guides
        self.markers = markers
        self.heightWeight = heightWeight
    }

    /// Series colours and styles after defaults: the i-th series without a colour takes
    /// ``Palette/lines`` colour i mod 7, dashed, dotted or dash-dotted from the eighth on so that
    /// repeated colours stay distinguishable.
    func resolvedSeries() -> [LineSeries] {
        series.enumerated().map { index, series in
            var resolved = series
            if series.color == nil {
                resolved.color = Palette.lines[index % Palette.lines.count]
                if index >= Palette.lines.count && series.style == .solid {
                    resolved.style = [LineStyle.dashed, .dotted, .dashDot][(index / Palette.lines.count - 1) % 3]
                }
            }
            return resolved
        }
    }

    /// Legend rows: named series, then labelled guides.
    func legendEntries() -> [LegendEntry] {
        resolvedSeries().filter { !$0.name.isEmpty }.map {
            LegendEntry(label: $0.name, color: $0.color!, style: $0.style, width: $0.width, showsPoint: $0.showsPoints)
        }
            + guides.filter { !$0.label.isEmpty }.map {
                LegendEntry(
                    label: $0.label, color: $0.color ?? .guide, style: $0.style, width: $0.width, showsPoint: false)
            }
    }

    /// All x values that should be inside the x range: series points and vertical markers.
    var xValues: [Double] {
        series.flatMap(\.x)
            + markers.compactMap {
                if case .vertical(let x) = $0.position { x } else { nil }
            }
    }

    /// All y values that should be inside the y range: series points and horizontal markers.
    var yValues: [Double] {
        series.flatMap(\.y)
            + markers.compactMap {
                if case .horizontal(let y) = $0.position { y } else { nil }
            }
    }
}
