/// Spacing and type sizes shared by every chart, in SVG user units (CSS pixels).
enum Layout {
    static let padding = 10.0
    static let titleHeight = 30.0
    static let titleFontSize = 15.0
    static let panelTitleHeight = 20.0
    static let panelGap = 16.0
    /// Room for an axis title beside or below the tick labels.
    static let axisLabelHeight = 20.0

    /// The chart title, bold and centred at the top of a chart `width` wide.
    static func drawTitle(_ title: String, width: Double, into canvas: inout SVGCanvas) {
        guard !title.isEmpty else { return }
        canvas.text(title, at: Point(x: width / 2, y: padding + 18), size: titleFontSize, anchor: .middle, bold: true)
    }

    /// A y-axis title, rotated to read upwards, centred on `centerY`, `offset` from the left edge.
    static func drawYLabel(_ label: String, centerY: Double, offset: Double = 0, into canvas: inout SVGCanvas) {
        guard !label.isEmpty else { return }
        canvas.text(
            label, at: Point(x: offset + padding + 13, y: centerY), size: AxisDrawing.labelFontSize,
            anchor: .middle, rotation: -90)
    }

    /// An x-axis title centred under the plot, at the bottom of a chart `height` high.
    static func drawXLabel(_ label: String, centerX: Double, height: Double, into canvas: inout SVGCanvas) {
        guard !label.isEmpty else { return }
        canvas.text(
            label, at: Point(x: centerX, y: height - padding - 4), size: AxisDrawing.labelFontSize, anchor: .middle)
    }
}
