/// Grid lines, axis lines, tick marks and tick labels around a plot rectangle.
enum AxisDrawing {
    static let tickFontSize = 11.0
    static let labelFontSize = 12.0
    static let majorTickLength = 5.0
    static let minorTickLength = 3.0
    static let minorGrid = Color(hex: 0xF3F3F3)

    /// The room the labels of a left axis need, from the axis line to the labels' left edge.
    static func leftLabelsWidth(_ ticks: TickSet) -> Double {
        majorTickLength + 4 + (ticks.major.map { TextMetrics.width(of: $0.label, size: tickFontSize) }.max() ?? 0)
    }

    /// Whether the labels of bottom-axis `ticks` would touch each other on `scale`.
    static func bottomLabelsOverlap(_ ticks: TickSet, scale: PositionScale) -> Bool {
        let spans = ticks.major.compactMap { tick -> (Double, Double)? in
            guard let x = scale.position(tick.value) else { return nil }
            let half = TextMetrics.width(of: tick.label, size: tickFontSize) / 2
            return (x - half, x + half)
        }
        return zip(spans, spans.dropFirst()).contains { $0.1 + 6 > $1.0 }
    }

    static func horizontalGrid(plot: Rect, scale: PositionScale, ticks: TickSet, into canvas: inout SVGCanvas) {
        if scale.kind == .log {
            for value in ticks.minor {
                guard let y = scale.position(value), plot.contains(Point(x: plot.x, y: y)) else { continue }
                canvas.line(from: Point(x: plot.x, y: y), to: Point(x: plot.maxX, y: y), stroke: minorGrid)
            }
        }
        for tick in ticks.major {
            guard let y = scale.position(tick.value), plot.contains(Point(x: plot.x, y: y)) else { continue }
            canvas.line(from: Point(x: plot.x, y: y), to: Point(x: plot.maxX, y: y), stroke: .grid)
        }
    }

    static func verticalGrid(plot: Rect, scale: PositionScale, ticks: TickSet, into canvas: inout SVGCanvas) {
        if scale.kind == .log {
            for value in ticks.minor {
                guard let x = scale.position(value), plot.contains(Point(x: x, y: plot.y)) else { continue }
                canvas.line(from: Point(x: x, y: plot.y), to: Point(x: x, y: plot.maxY), stroke: minorGrid)
            }
        }
        for tick in ticks.major {
            guard let x = scale.position(tick.value), plot.contains(Point(x: x, y: plot.y)) else { continue }
            canvas.line(from: Point(x: x, y: plot.y), to: Point(x: x, y: plot.maxY), stroke: .grid)
        }
    }

    /// The axis line at the plot's left edge, its ticks and labels.
    static func left(plot: Rect, scale: PositionScale, ticks: TickSet, into canvas: inout SVGCanvas) {
        canvas.line(from: Point(x: plot.x, y: plot.y), to: Point(x: plot.x, y: plot.maxY), stroke: .ink)
        for value in ticks.minor {
            guard let y = scale.position(value), plot.contains(Point(x: plot.x, y: y)) else { continue }
            canvas.line(from: Point(x: plot.x - minorTickLength, y: y), to: Point(x: plot.x, y: y), stroke: .ink)
        }
        for tick in ticks.major {
            guard let y = scale.position(tick.value), plot.contains(Point(x: plot.x, y: y)) else { continue }
            canvas.line(from: Point(x: plot.x - majorTickLength, y: y), to: Point(x: plot.x, y: y), stroke: .ink)
            canvas.text(
                tick.label, at: Point(x: plot.x - majorTickLength - 3, y: y + tickFontSize * 0.35),
                size: tickFontSize, anchor: .end)
        }
    }

    /// The axis line at the plot's bottom edge, its ticks and, if `showsLabels`, their labels.
    static func bottom(
        plot: Rect, scale: PositionScale, ticks: TickSet, showsLabels: Bool, into canvas: inout SVGCanvas
    ) {
        canvas.line(from: Point(x: plot.x, y: plot.maxY), to: Point(x: plot.maxX, y: plot.maxY), stroke: .ink)
        for value in ticks.minor {
            guard let x = scale.position(value), plot.contains(Point(x: x, y: plot.maxY)) else { continue }
            canvas.line(from: Point(x: x, y: plot.maxY), to: Point(x: x, y: plot.maxY + minorTickLength), stroke: .ink)
        }
        for tick in ticks.major {
            guard let x = scale.position(tick.value), plot.contains(Point(x: x, y: plot.maxY)) else { continue }
            canvas.line(from: Point(x: x, y: plot.maxY), to: Point(x: x, y: plot.maxY + majorTickLength), stroke: .ink)
            if showsLabels {
                canvas.text(
                    tick.label, at: Point(x: x, y: plot.maxY + majorTickLength + tickFontSize + 2),
                    size: tickFontSize, anchor: .middle)
            }
        }
    }
}
