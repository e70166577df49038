/// Panels stacked vertically over one shared x axis, e.g. per-layer gradient norms on a log scale
/// above the cost, both over batches. Only the bottom panel shows the x tick labels and x label;
/// every panel has its own y axis and legend (to its right).
public struct StackedChart: Sendable, Hashable {
    public var title: String
    public var xAxis: Axis
    /// Top to bottom.
    public var panels: [PlotPanel]
    public var width: Double
    public var height: Double

    public init(
        title: String = "", xAxis: Axis = Axis(), panels: [PlotPanel], width: Double = 760, height: Double = 560
    ) {
        precondition(!panels.isEmpty, "a chart needs at least one panel")
        self.title = title
        self.xAxis = xAxis
        self.panels = panels
        self.width = width
        self.height = height
    }

    /// The chart as a standalone SVG document.
    public func svg() -> String {
        var canvas = SVGCanvas(width: width, height: height)
        draw(into: &canvas)
        return canvas.document(title: title.isEmpty ? panels.map(\.title).joined(separator: "; ") : title)
    }

    func draw(into canvas: inout SVGCanvas) {
        let top = Layout.padding + (title.isEmpty ? 0 : Layout.titleHeight)
        let bottom =
            Layout.padding + AxisDrawing.majorTickLength + AxisDrawing.tickFontSize + 6
            + (xAxis.label.isEmpty ? 0 : Layout.axisLabelHeight)
        let panelTitles = panels.map { $0.title.isEmpty ? 0 : Layout.panelTitleHeight }
        let available = height - top - bottom - panelTitles.reduce(0, +) - Layout.panelGap * Double(panels.count - 1)
        let totalWeight = panels.map(\.heightWeight).reduce(0, +)
        let heights = panels.map { max(20, available * $0.heightWeight / totalWeight) }

        // Vertical layout and y ticks first: they fix the left margin, which fixes the plot width.
        var yTicks: [TickSet] = []
        var tops: [Double] = []
        var y = top
        for (index, panel) in panels.enumerated() {
            y += panelTitles[index]
            tops.append(y)
            let target = panel.yAxis.scale == .log ? max(2, Int(heights[index] / 26)) : max(3, Int(heights[index] / 45))
            yTicks.append(panel.yAxis.ticks(dataExtent: panel.yAxis.extent(of: panel.yValues), target: target))
            y += heights[index] + Layout.panelGap
        }
        let hasYLabel = panels.contains { !$0.yAxis.label.isEmpty }
        let left =
            Layout.padding + (hasYLabel ? Layout.axisLabelHeight : 0)
            + (yTicks.map(AxisDrawing.leftLabelsWidth).max() ?? 0) + 4
        let legendWidth = panels.map { Legend.width($0.legendEntries()) }.max() ?? 0
        let right = max(Layout.padding + legendWidth, 24)
        let plotWidth = max(40, width - left - right)

        let xExtent = xAxis.extent(of: panels.flatMap(\.xValues))
        var target = max(2, Int(plotWidth / 90))
        var xTicks = xAxis.ticks(dataExtent: xExtent, target: target)
        while target > 2,
            AxisDrawing.bottomLabelsOverlap(
                xTicks,
                scale: PositionScale(kind: xAxis.scale, domain: xTicks.domain, start: left, end: left + plotWidth))
        {
            target -= 1
            xTicks = xAxis.ticks(dataExtent: xExtent, target: target)
        }
        let xScale = PositionScale(kind: xAxis.scale, domain: xTicks.domain, start: left, end: left + plotWidth)

        Layout.drawTitle(title, width: width, into: &canvas)
        for (index, panel) in panels.enumerated() {
            let plot = Rect(x: left, y: tops[index], width: plotWidth, height: heights[index])
            let yScale = PositionScale(
                kind: panel.yAxis.scale, domain: yTicks[index].domain, start: plot.maxY, end: plot.y)
            canvas.beginGroup("class=\"panel\"")
            PanelDrawing.draw(
                panel, plot: plot, xScale: xScale, xTicks: xTicks, yScale: yScale, yTicks: yTicks[index],
                showsXLabels: index == panels.count - 1, into: &canvas)
            Layout.drawYLabel(panel.yAxis.label, centerY: plot.y + plot.height / 2, into: &canvas)
            canvas.endGroup()
        }
        Layout.drawXLabel(xAxis.label, centerX: left + plotWidth / 2, height: height, into: &canvas)
    }
}
