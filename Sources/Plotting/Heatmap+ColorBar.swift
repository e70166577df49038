/// The colour bar beside a ``Heatmap``: the colour scale with its ticks and label.
extension Heatmap {
    /// The colour-scale ticks: inside ``colorAxis``'s limits, or else inside the range of the
    /// drawable values (not widened, so the full colour range is used).
    func colorTicks(target: Int) -> TickSet {
        if colorAxis.limits != nil { return colorAxis.ticks(dataExtent: nil, target: target) }
        var extent = colorAxis.extent(of: values.joined()) ?? (colorAxis.scale == .log ? 1...10 : 0...1)
        if extent.lowerBound == extent.upperBound {
            let value = extent.lowerBound
            extent =
                colorAxis.scale == .log
                ? value / 10...value * 10 : (value == 0 ? -1...1 : value - abs(value) / 2...value + abs(value) / 2)
        }
        return Axis(colorAxis.label, scale: colorAxis.scale, limits: extent).ticks(dataExtent: nil, target: target)
    }

    func drawColorBar(_ bar: Rect, ticks: TickSet, into canvas: inout SVGCanvas) {
        canvas.beginGroup("class=\"colorbar\" shape-rendering=\"crispEdges\"")
        let sliceHeight = bar.height / Double(Self.barSlices)
        for slice in 0..<Self.barSlices {
            let t = (Double(slice) + 0.5) / Double(Self.barSlices)
            let y = bar.maxY - Double(slice + 1) * sliceHeight
            // Slices overlap by half a unit so that no seam shows between them.
            canvas.rect(
                Rect(
                    x: bar.x, y: y - (slice == Self.barSlices - 1 ? 0 : 0.5), width: bar.width,
                    height: sliceHeight + (slice == Self.barSlices - 1 ? 0 : 0.5)),
                fill: colorMap.color(at: t))
        }
        canvas.rect(bar, fill: nil, stroke: .ink, strokeWidth: 0.75)
        let scale = PositionScale(kind: colorAxis.scale, domain: ticks.domain, start: bar.maxY, end: bar.y)
        for value in ticks.minor {
            guard let y = scale.position(value), y >= bar.y - 1e-6, y <= bar.maxY + 1e-6 else { continue }
            canvas.line(
                from: Point(x: bar.maxX, y: y), to: Point(x: bar.maxX + AxisDrawing.minorTickLength, y: y), stroke: .ink
            )
        }
        for tick in ticks.major {
            guard let y = scale.position(tick.value), y >= bar.y - 1e-6, y <= bar.maxY + 1e-6 else { continue }
            canvas.line(
                from: Point(x: bar.maxX, y: y), to: Point(x: bar.maxX + AxisDrawing.majorTickLength, y: y), stroke: .ink
            )
            canvas.text(
                tick.label,
                at: Point(x: bar.maxX + AxisDrawing.majorTickLength + 3, y: y + AxisDrawing.tickFontSize * 0.35),
                size: AxisDrawing.tickFontSize)
        }
        if !colorAxis.label.isEmpty {
            let x = bar.maxX + AxisDrawing.leftLabelsWidth(ticks) + 14
            canvas.text(
                colorAxis.label, at: Point(x: x, y: bar.y + bar.height / 2), size: AxisDrawing.labelFontSize,
                anchor: .middle, rotation: 90)
        }
        canvas.endGroup()
    }
}
