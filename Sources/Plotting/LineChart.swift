/// A single panel with its own x axis: curves, guide lines and markers on linear or log axes.
public struct LineChart: Sendable, Hashable {
    public var title: String
    public var xAxis: Axis
    public var yAxis: Axis
    public var series: [LineSeries]
    public var guides: [GuideLine]
    public var markers: [Marker]
    public var width: Double
    public var height: Double

    public init(
        title: String = "", xAxis: Axis = Axis(), yAxis: Axis = Axis(), series: [LineSeries],
        guides: [GuideLine] = [], markers: [Marker] = [], width: Double = 640, height: Double = 400
    ) {
        self.title = title
        self.xAxis = xAxis
        self.yAxis = yAxis
        self.series = series
        self.guides = guides
        self.markers = markers
        self.width = width
        self.height = height
    }

    /// The chart as a standalone SVG document.
    public func svg() -> String {
        StackedChart(
            title: title, xAxis: xAxis,
            panels: [PlotPanel(yAxis: yAxis, series: series, guides: guides, markers: markers)],
            width: width, height: height
        ).svg()
    }
}
