/// A matrix of values as coloured cells with a colour bar, e.g. the checker's per-block relative
/// error or error bound. Row 0 is drawn at the top. Cells that cannot be coloured (NaN, ±∞, or ≤ 0
/// on a log colour scale) are grey and marked "n/a" in the colour bar's key.
public struct Heatmap: Sendable, Hashable {
    public var title: String
    /// `values[row][column]`; every row has the same length.
    public var values: [[Double]]
    public var rowLabels: [String]
    public var columnLabels: [String]
    /// Titles of the row and column directions, e.g. "layer" and "block".
    public var rowAxisLabel: String
    public var columnAxisLabel: String
    /// The colour scale: its label, linear or log, and optional fixed limits (values beyond them get
    /// the end colours).
    public var colorAxis: Axis
    public var colorMap: ColorMap
    /// Writes each cell's value (3 significant digits) in the cell; `nil` does so when the cells are
    /// large enough to hold it.
    public var showsValues: Bool?
    public var width: Double
    public var height: Double

    public init(
        title: String = "", values: [[Double]], rowLabels: [String]? = nil, columnLabels: [String]? = nil,
        rowAxisLabel: String = "", columnAxisLabel: String = "", colorAxis: Axis = Axis(),
        colorMap: ColorMap = .viridis, showsValues: Bool? = nil, width: Double = 640, height: Double = 400
    ) {
        let columns = values.first?.count ?? 0
        precondition(!values.isEmpty && columns > 0, "a heatmap needs at least one row and one column")
        precondition(values.allSatisfy { $0.count == columns }, "every heatmap row needs \(columns) values")
        let rows = rowLabels ?? values.indices.map(String.init)
        let cols = columnLabels ?? (0..<columns).map(String.init)
        precondition(rows.count == values.count, "\(rows.count) row labels for \(values.count) rows")
        precondition(cols.count == columns, "\(cols.count) column labels for \(columns) columns")
        self.title = title
        self.values = values
        self.rowLabels = rows
        self.columnLabels = cols
        self.rowAxisLabel = rowAxisLabel
        self.columnAxisLabel = columnAxisLabel
        self.colorAxis = colorAxis
        self.colorMap = colorMap
        self.showsValues = showsValues
        self.width = width
        self.height = height
    }

    static let missingColor = Color(hex: 0xD9D9D9)
    static let maximumCell = 72.0
    static let barWidth = 14.0
    static let barSlices = 64

    /// The chart as a standalone SVG document.
    public func svg() -> String {
        var canvas = SVGCanvas(width: width, height: height)
        draw(into: &canvas)
        return canvas.document(title: title)
    }

    /// Where the cells and their labels go.
    struct Geometry {
        var grid: Rect
        var cellWidth: Double
        var cellHeight: Double
        var rotatesColumnLabels: Bool
        var columnLabelsHeight: Double
        /// How far the drawing is moved right to centre it when the cells reach their maximum size.
        var shift: Double
    }

    func geometry(colorTicks: TickSet) -> Geometry {
        let font = AxisDrawing.tickFontSize
        let top = Layout.padding + (title.isEmpty ? 0 : Layout.titleHeight)
        let left =
            Layout.padding + (rowAxisLabel.isEmpty ? 0 : Layout.axisLabelHeight)
            + (rowLabels.map { TextMetrics.width(of: $0, size: font) }.max() ?? 0) + 6
        let barBlock =
            18 + Self.barWidth + AxisDrawing.leftLabelsWidth(colorTicks)
            + (colorAxis.label.isEmpty ? 0 : Layout.axisLabelHeight) + Layout.padding
        let gridWidth = min(width - left - barBlock, Self.maximumCell * Double(values[0].count))
        let cellWidth = gridWidth / Double(values[0].count)
        let widestColumnLabel = columnLabels.map { TextMetrics.width(of: $0, size: font) }.max() ?? 0
        let rotates = widestColumnLabel > cellWidth - 4
        // A label rotated by 45° needs its width × sin 45° below the grid.
        let columnLabelsHeight = rotates ? widestColumnLabel * 0.71 + font + 6 : font + 8
        let bottom = Layout.padding + columnLabelsHeight + (columnAxisLabel.isEmpty ? 0 : Layout.axisLabelHeight)
        let gridHeight = min(height - top - bottom, Self.maximumCell * Double(values.count))
        let shift = max(0, width - left - barBlock - gridWidth) / 2
        return Geometry(
            grid: Rect(x: left + shift, y: top, width: gridWidth, height: gridHeight),
            cellWidth: cellWidth, cellHeight: gridHeight / Double(values.count),
            rotatesColumnLabels: rotates, columnLabelsHeight: columnLabelsHeight, shift: shift)
    }

    func draw(into canvas: inout SVGCanvas) {
        let colorTicks = colorTicks(target: max(3, Int(height / 60)))
        let geometry = geometry(colorTicks: colorTicks)
        let grid = geometry.grid
        Layout.drawTitle(title, width: width, into: &canvas)
        drawCells(
            geometry, colorScale: PositionScale(kind: colorAxis.scale, domain: colorTicks.domain, start: 0, end: 1),
            into: &canvas)
        drawLabels(geometry, into: &canvas)

        let hasMissing = values.joined().contains { !colorAxis.canShow($0) }
        let bar = Rect(
            x: grid.maxX + 18, y: grid.y, width: Self.barWidth,
            height: hasMissing ? max(40, grid.height - 26) : grid.height)
        drawColorBar(bar, ticks: colorTicks, into: &canvas)
        if hasMissing {
            let key = Rect(x: bar.x, y: bar.maxY + 12, width: Self.barWidth, height: 12)
            canvas.rect(key, fill: Self.missingColor)
            canvas.text("n/a", at: Point(x: key.maxX + 6, y: key.maxY - 2), size: AxisDrawing.tickFontSize)
        }
    }

    /// The coloured cells, each with a tooltip, and their values when they fit (or ``showsValues``).
    func drawCells(_ geometry: Geometry, colorScale: PositionScale, into canvas: inout SVGCanvas) {
        let font = AxisDrawing.tickFontSize
        let (grid, cellWidth, cellHeight) = (geometry.grid, geometry.cellWidth, geometry.cellHeight)
        let cellTexts = values.map { $0.map { colorAxis.canShow($0) ? NumberFormatting.compact($0) : "n/a" } }
        let widestText = cellTexts.joined().map { TextMetrics.width(of: $0, size: font) }.max() ?? 0
        let annotate = showsValues ?? (widestText <= cellWidth - 6 && cellHeight >= font + 4)
        // White lines between cells help to count large cells but would swamp small ones.
        let separated = min(cellWidth, cellHeight) >= 12
        canvas.beginGroup("class=\"cells\" shape-rendering=\"crispEdges\"")
        for (row, rowValues) in values.enumerated() {
            for (column, value) in rowValues.enumerated() {
                let cell = Rect(
                    x: grid.x + Double(column) * cellWidth, y: grid.y + Double(row) * cellHeight,
                    width: cellWidth, height: cellHeight)
                let color = colorScale.position(value).map(colorMap.color(at:)) ?? Self.missingColor
                canvas.rect(
                    cell, fill: color, stroke: separated ? .white : nil, strokeWidth: 1,
                    title: "\(rowLabels[row]), \(columnLabels[column]): \(NumberFormatting.compact(value))")
                if annotate {
                    let ink = color.luminance > 0.35 ? Color.ink : Color.white
                    canvas.text(
                        cellTexts[row][column],
                        at: Point(x: cell.x + cellWidth / 2, y: cell.y + cellHeight / 2 + font * 0.35),
                        size: font, anchor: .middle, color: ink)
                }
            }
        }
        canvas.endGroup()
    }

    /// Row labels, column labels (rotated by 45° when wider than a cell) and the two axis titles.
    func drawLabels(_ geometry: Geometry, into canvas: inout SVGCanvas) {
        let font = AxisDrawing.tickFontSize
        let grid = geometry.grid
        // Labels closer than a line of text apart would overlap: then only every n-th is written.
        let rowStride = max(1, Int(((font + 2) / geometry.cellHeight).rounded(.up)))
        let columnStride =
            geometry.rotatesColumnLabels ? max(1, Int(((font + 2) / geometry.cellWidth).rounded(.up))) : 1
        for (row, label) in rowLabels.enumerated() where row % rowStride == 0 {
            let y = grid.y + (Double(row) + 0.5) * geometry.cellHeight + font * 0.35
            canvas.text(label, at: Point(x: grid.x - 6, y: y), size: font, anchor: .end)
        }
        for (column, label) in columnLabels.enumerated() where column % columnStride == 0 {
            let x = grid.x + (Double(column) + 0.5) * geometry.cellWidth
            if geometry.rotatesColumnLabels {
                canvas.text(
                    label, at: Point(x: x + font * 0.35, y: grid.maxY + 8), size: font, anchor: .end, rotation: -45)
            } else {
                canvas.text(label, at: Point(x: x, y: grid.maxY + font + 4), size: font, anchor: .middle)
            }
        }
        Layout.drawYLabel(rowAxisLabel, centerY: grid.y + grid.height / 2, offset: geometry.shift, into: &canvas)
        if !columnAxisLabel.isEmpty {
            canvas.text(
                columnAxisLabel, at: Point(x: grid.x + grid.width / 2, y: grid.maxY + geometry.columnLabelsHeight + 16),
                size: AxisDrawing.labelFontSize, anchor: .middle)
        }
    }
}
