import Foundation

/// Draws one ``PlotPanel`` into a plot rectangle whose scales and ticks are already fixed.
enum PanelDrawing {
    /// Guides that are not straight on the chart's axes are drawn through this many points.
    static let guideSamples = 97

    static func draw(
        _ panel: PlotPanel, plot: Rect, xScale: PositionScale, xTicks: TickSet,
        yScale: PositionScale, yTicks: TickSet, showsXLabels: Bool, into canvas: inout SVGCanvas
    ) {
        AxisDrawing.horizontalGrid(plot: plot, scale: yScale, ticks: yTicks, into: &canvas)
        AxisDrawing.verticalGrid(plot: plot, scale: xScale, ticks: xTicks, into: &canvas)

        for guide in panel.guides {
            let points = guidePoints(guide, xScale: xScale, yScale: yScale)
            canvas.polylines(
                clippedPolylines(points, to: plot), stroke: guide.color ?? .guide, width: guide.width,
                style: guide.style)
        }
        for marker in panel.markers {
            guard let (a, b) = markerLine(marker, plot: plot, xScale: xScale, yScale: yScale) else { continue }
            canvas.line(from: a, to: b, stroke: marker.color ?? .guide, width: 1.25, style: marker.style)
        }
        for series in panel.resolvedSeries() {
            let color = series.color!
            let points = zip(series.x, series.y).map { x, y -> Point? in
                guard let px = xScale.position(x), let py = yScale.position(y) else { return nil }
                return Point(x: px, y: py)
            }
            let lines = clippedPolylines(points, to: plot)
            canvas.polylines(lines, stroke: color, width: series.width, style: series.style)
            let isolated = lines.filter { $0.count == 1 }.map { $0[0] }
            let dots = series.showsPoints ? points.compactMap { $0 }.filter { plot.contains($0) } : isolated
            for dot in dots {
                canvas.circle(center: dot, radius: max(2.5, series.width), fill: color)
            }
        }

        AxisDrawing.left(plot: plot, scale: yScale, ticks: yTicks, into: &canvas)
        AxisDrawing.bottom(plot: plot, scale: xScale, ticks: xTicks, showsLabels: showsXLabels, into: &canvas)

        for marker in panel.markers where !marker.label.isEmpty {
            guard let (a, b) = markerLine(marker, plot: plot, xScale: xScale, yScale: yScale) else { continue }
            let size = AxisDrawing.tickFontSize
            let textWidth = TextMetrics.width(of: marker.label, size: size)
            switch marker.position {
            case .vertical:
                let fitsRight = a.x + 4 + textWidth <= plot.maxX
                canvas.text(
                    marker.label, at: Point(x: fitsRight ? a.x + 4 : a.x - 4, y: plot.y + size + 2), size: size,
                    anchor: fitsRight ? .start : .end, color: marker.color ?? .ink, halo: true)
            case .horizontal:
                canvas.text(
                    marker.label, at: Point(x: b.x - 4, y: a.y - 4), size: size, anchor: .end,
                    color: marker.color ?? .ink, halo: true)
            }
        }
        Legend.draw(panel.legendEntries(), at: Point(x: plot.maxX, y: plot.y), into: &canvas)
        if !panel.title.isEmpty {
            canvas.text(panel.title, at: Point(x: plot.x, y: plot.y - 7), size: AxisDrawing.labelFontSize, bold: true)
        }
    }

    /// The guide's points across the x domain: its two ends where it is straight on these axes
    /// (horizontal, or a power law on log-log axes), otherwise ``guideSamples`` points evenly spaced
    /// in position.
    static func guidePoints(_ guide: GuideLine, xScale: PositionScale, yScale: PositionScale) -> [Point?] {
        let straight: Bool
        switch guide.shape {
        case .horizontal: straight = true
        case .powerLaw: straight = xScale.kind == .log && yScale.kind == .log
        }
        let count = straight ? 2 : guideSamples
        let low = xScale.domain.lowerBound
        let high = xScale.domain.upperBound
        return (0..<count).map { index -> Point? in
            let t = Double(index) / Double(count - 1)
            let x = xScale.kind == .log ? low * pow(high / low, t) : low + (high - low) * t
            guard let px = xScale.position(x), let py = yScale.position(guide.value(at: x)) else { return nil }
            return Point(x: px, y: py)
        }
    }

    /// The marker's line across the plot, or `nil` if its value is not drawable or outside the plot.
    static func markerLine(
        _ marker: Marker, plot: Rect, xScale: PositionScale, yScale: PositionScale
    ) -> (Point, Point)? {
        switch marker.position {
        case .vertical(let x):
            guard let px = xScale.position(x), px >= plot.x - 1e-6, px <= plot.maxX + 1e-6 else { return nil }
            return (Point(x: px, y: plot.y), Point(x: px, y: plot.maxY))
        case .horizontal(let y):
            guard let py = yScale.position(y), py >= plot.y - 1e-6, py <= plot.maxY + 1e-6 else { return nil }
            return (Point(x: plot.x, y: py), Point(x: plot.maxX, y: py))
        }
    }
}
