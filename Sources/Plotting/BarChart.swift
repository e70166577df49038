/// One bar per category, e.g. the gradient norm of each layer. On a linear axis bars grow from 0
/// (downwards for negative values); on a log axis from the bottom of the axis. Values that cannot be
/// drawn leave an empty slot.
public struct BarChart: Sendable, Hashable {
    public var title: String
    public var categories: [String]
    public var values: [Double]
    public var xLabel: String
    public var yAxis: Axis
    /// One colour for all bars, or one per bar; `nil`: the first Okabe–Ito colour.
    public var colors: [Color]?
    public var width: Double
    public var height: Double

    public init(
        title: String = "", categories: [String], values: [Double], xLabel: String = "",
        yAxis: Axis = Axis(), colors: [Color]? = nil, width: Double = 640, height: Double = 400
    ) {
        precondition(categories.count == values.count, "\(categories.count) categories for \(values.count) values")
        precondition(!values.isEmpty, "a bar chart needs at least one bar")
        if let colors {
            precondition(colors.count == 1 || colors.count == values.count, "give 1 or \(values.count) colours")
        }
        self.title = title
        self.categories = categories
        self.values = values
        self.xLabel = xLabel
        self.yAxis = yAxis
        self.colors = colors
        self.width = width
        self.height = height
    }

    /// The chart as a standalone SVG document.
    public func svg() -> String {
        var canvas = SVGCanvas(width: width, height: height)
        draw(into: &canvas)
        return canvas.document(title: title)
    }

    func draw(into canvas: inout SVGCanvas) {
        let padding = Layout.padding
        let font = AxisDrawing.tickFontSize
        let top = padding + (title.isEmpty ? 0 : Layout.titleHeight)
        let widestLabel = categories.map { TextMetrics.width(of: $0, size: font) }.max() ?? 0

        let provisionalWidth = width - 80
        let rotate = widestLabel > provisionalWidth / Double(values.count) - 6
        let labelsHeight = rotate ? widestLabel * 0.71 + font + 6 : font + 8
        let bottom =
            padding + AxisDrawing.majorTickLength + labelsHeight + (xLabel.isEmpty ? 0 : Layout.axisLabelHeight)
        let plotHeight = height - top - bottom

        var extentValues = values
        if yAxis.scale == .linear { extentValues.append(0) }
        let target = yAxis.scale == .log ? max(2, Int(plotHeight / 26)) : max(3, Int(plotHeight / 45))
        let yTicks = yAxis.ticks(dataExtent: yAxis.extent(of: extentValues), target: target)
        let left =
            padding + (yAxis.label.isEmpty ? 0 : Layout.axisLabelHeight) + AxisDrawing.leftLabelsWidth(yTicks) + 4
        let plot = Rect(x: left, y: top, width: width - left - padding - 8, height: plotHeight)
        let yScale = PositionScale(kind: yAxis.scale, domain: yTicks.domain, start: plot.maxY, end: plot.y)
        let slot = plot.width / Double(values.count)

        Layout.drawTitle(title, width: width, into: &canvas)
        AxisDrawing.horizontalGrid(plot: plot, scale: yScale, ticks: yTicks, into: &canvas)
        let base = yAxis.scale == .log ? plot.maxY : min(max(yScale.position(0) ?? plot.maxY, plot.y), plot.maxY)
        canvas.beginGroup("class=\"bars\"")
        for (index, value) in values.enumerated() {
            guard let y = yScale.position(value) else {
                canvas.text(
                    "n/a", at: Point(x: plot.x + slot * (Double(index) + 0.5), y: plot.maxY - 6), size: font,
                    anchor: .middle, color: .guide)
                continue
            }
            let clamped = min(max(y, plot.y), plot.maxY)
            let color = colors.map { $0.count == 1 ? $0[0] : $0[index] } ?? Palette.okabeIto[0]
            let bar = Rect(
                x: plot.x + slot * (Double(index) + 0.15), y: min(clamped, base), width: slot * 0.7,
                height: abs(base - clamped))
            canvas.rect(bar, fill: color, title: "\(categories[index]): \(NumberFormatting.compact(value))")
        }
        canvas.endGroup()
        AxisDrawing.left(plot: plot, scale: yScale, ticks: yTicks, into: &canvas)
        canvas.line(from: Point(x: plot.x, y: plot.maxY), to: Point(x: plot.maxX, y: plot.maxY), stroke: .ink)
        for (index, label) in categories.enumerated() {
            let x = plot.x + slot * (Double(index) + 0.5)
            canvas.line(
                from: Point(x: x, y: plot.maxY), to: Point(x: x, y: plot.maxY + AxisDrawing.majorTickLength),
                stroke: .ink)
            if rotate {
                canvas.text(
                    label, at: Point(x: x + font * 0.35, y: plot.maxY + AxisDrawing.majorTickLength + 6), size: font,
                    anchor: .end, rotation: -45)
            } else {
                canvas.text(
                    label, at: Point(x: x, y: plot.maxY + AxisDrawing.majorTickLength + font + 2), size: font,
                    anchor: .middle)
            }
        }
        Layout.drawYLabel(yAxis.label, centerY: plot.y + plot.height / 2, into: &canvas)
        Layout.drawXLabel(xLabel, centerX: plot.x + plot.width / 2, height: height, into: &canvas)
    }
}
