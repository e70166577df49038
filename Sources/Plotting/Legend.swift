/// One legend row: a line sample and a label.
struct LegendEntry: Hashable {
    var label: String
    var color: Color
    var style: LineStyle
    var width: Double
    var showsPoint: Bool
}

/// A legend drawn as a column of rows outside the plot, to its right.
enum Legend {
    static let fontSize = 11.0
    static let rowHeight = 16.0
    static let sampleLength = 22.0
    static let gap = 6.0

    /// The width the legend needs, 0 when there are no entries.
    static func width(_ entries: [LegendEntry]) -> Double {
        guard !entries.isEmpty else { return 0 }
        return 12 + sampleLength + gap + entries.map { TextMetrics.width(of: $0.label, size: fontSize) }.max()! + 8
    }

    /// Draws `entries` from `origin` (top-left) downwards.
    static func draw(_ entries: [LegendEntry], at origin: Point, into canvas: inout SVGCanvas) {
        guard !entries.isEmpty else { return }
        canvas.beginGroup("class=\"legend\"")
        for (row, entry) in entries.enumerated() {
            let y = origin.y + Double(row) * rowHeight + rowHeight / 2
            let start = Point(x: origin.x + 12, y: y)
            let end = Point(x: start.x + sampleLength, y: y)
            canvas.line(from: start, to: end, stroke: entry.color, width: entry.width, style: entry.style)
            if entry.showsPoint {
                canvas.circle(center: Point(x: (start.x + end.x) / 2, y: y), radius: 2.5, fill: entry.color)
            }
            canvas.text(entry.label, at: Point(x: end.x + gap, y: y + fontSize * 0.35), size: fontSize)
        }
        canvas.endGroup()
    }
}
