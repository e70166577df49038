import Testing
@testable import Plotting

@Suite("Charts")
struct ChartTests {
    /// The `d` attributes of the document's `<path>` elements.
    static func paths(_ svg: String) -> [String] {
        svg.components(separatedBy: "<path d=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
    }

    @Test func nonFinitePointsLeaveGaps() {
        let svg = LineChart(series: [LineSeries("s", y: [1, .nan, 3, 4, .infinity, 5, 6])]).svg()
        let paths = Self.paths(svg)
        #expect(paths.count == 1)
        // Two polylines (points 2–3 and 5–6); point 0 stands alone and becomes a dot.
        #expect(paths[0].filter { $0 == "M" }.count == 2)
        #expect(paths[0].filter { $0 == "L" }.count == 2)
        #expect(svg.components(separatedBy: "<circle").count - 1 == 1)
        #expect(!svg.lowercased().contains("nan") && !svg.contains("inf"))
        #expect(parseXML(svg).isWellFormed)
    }

    @Test func nonPositiveValuesAreGapsOnLogAxes() {
        let svg = LineChart(yAxis: Axis(scale: .log), series: [LineSeries("s", y: [1, 10, 0, -1, 100, 1000])]).svg()
        #expect(Self.paths(svg).first.map { $0.filter { $0 == "M" }.count } == 2)
    }

    @Test func undrawableValuesDoNotWidenTheAxes() {
        let axis = Axis()
        #expect(axis.extent(of: [1, 2, .infinity, .nan, -.infinity]) == 1...2)
        #expect(Axis(scale: .log).extent(of: [0, -3, 0.5, 20]) == 0.5...20)
        #expect(axis.extent(of: [.nan]) == nil)
    }

    @Test func aSeriesWithNothingDrawableStillGivesAValidDocument() {
        let svg = LineChart(title: "empty", yAxis: Axis(scale: .log), series: [LineSeries("s", y: [.nan, 0, -1])]).svg()
        #expect(Self.paths(svg).isEmpty)
        #expect(parseXML(svg).isWellFormed)
    }

    @Test func outputIsDeterministic() {
        #expect(GoldenFigures.sweep().svg() == GoldenFigures.sweep().svg())
        #expect(GoldenFigures.flow().svg() == GoldenFigures.flow().svg())
    }

    @Test func straightGuidesUseTwoPointsAndCurvedOnesMore() {
        let logScale = PositionScale(kind: .log, domain: 1e-8...1, start: 0, end: 100)
        let linearScale = PositionScale(kind: .linear, domain: 0...1, start: 100, end: 0)
        let guide = GuideLine.powerLaw("h²", exponent: 2, through: (x: 1e-2, y: 1e-4))
        #expect(PanelDrawing.guidePoints(guide, xScale: logScale, yScale: logScale).count == 2)
        #expect(
            PanelDrawing.guidePoints(guide, xScale: logScale, yScale: linearScale).count == PanelDrawing.guideSamples)
        #expect(guide.value(at: 1e-3) == 1e-6)
    }

    @Test func markersWidenTheAxisAndCarryTheirLabel() {
        let svg = LineChart(
            xAxis: Axis(scale: .log), yAxis: Axis(scale: .log),
            series: [LineSeries("err", x: [1e-6, 1e-4, 1e-2], y: [1e-6, 1e-9, 1e-5])],
            markers: [.vertical(3e-8, label: "h = 3e−8")]
        ).svg()
        #expect(svg.contains(">h = 3e−8</text>"))
        #expect(svg.contains(">10⁻⁸</text>"))
    }

    @Test(arguments: GoldenFigures.names)
    func everyFigureIsWellFormedSVG(name: String) {
        let check = parseXML(GoldenFigures.svg(name))
        #expect(check.isWellFormed, "\(name): \(check.error ?? "")")
        #expect(check.rootElement == "svg")
        #expect((check.elementCounts["text"] ?? 0) > 3)
    }
}

@Suite("Clipping")
struct ClippingTests {
    let box = Rect(x: 0, y: 0, width: 10, height: 10)

    @Test func clipsSegments() throws {
        let (a, b) = try #require(clip(Point(x: -5, y: 5), Point(x: 5, y: 5), to: box))
        #expect(a == Point(x: 0, y: 5) && b == Point(x: 5, y: 5))
        #expect(clip(Point(x: -5, y: -1), Point(x: 20, y: -1), to: box) == nil)
        let (c, d) = try #require(clip(Point(x: -10, y: -10), Point(x: 20, y: 20), to: box))
        #expect(c == Point(x: 0, y: 0) && d == Point(x: 10, y: 10))
    }

    @Test func breaksPolylinesAtTheEdgeAndAtGaps() {
        let lines = clippedPolylines(
            [
                Point(x: 1, y: 1), Point(x: 5, y: 1), Point(x: 15, y: 1), Point(x: 5, y: 2), nil,
                Point(x: 2, y: 2), Point(x: 3, y: 3)
            ], to: box)
        #expect(
            lines == [
                [Point(x: 1, y: 1), Point(x: 5, y: 1), Point(x: 10, y: 1)],
                [Point(x: 10, y: 1.5), Point(x: 5, y: 2)],
                [Point(x: 2, y: 2), Point(x: 3, y: 3)]
            ])
    }
}
