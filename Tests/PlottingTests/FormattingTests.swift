import Testing
@testable import Plotting

@Suite("Number formatting and escaping")
struct FormattingTests {
    @Test(arguments: [
        (12.346, "12.35"), (3.0, "3"), (-2.5, "-2.5"), (0.05, "0.05"), (-0.001, "0"), (100.1, "100.1"),
        (-0.004, "0"), (1e9, "1000000000"), (0.999, "1")
    ])
    func coordinates(value: Double, text: String) {
        #expect(NumberFormatting.coordinate(value) == text)
    }

    @Test(arguments: [
        (0.0123, "0.0123"), (1.5e-7, "1.5e\u{2212}7"), (12345.0, "1.23e4"), (999.7, "1000"), (0.5, "0.5"),
        (2.0, "2"), (-3.456, "\u{2212}3.46"), (Double.nan, "NaN"), (-Double.infinity, "\u{2212}∞"), (0.0, "0")
    ])
    func compactValues(value: Double, text: String) {
        #expect(NumberFormatting.compact(value) == text)
    }

    @Test func decimalAndScientificLabels() {
        #expect(NumberFormatting.decimal(mantissa: 25, exponent: -1) == "2.5")
        #expect(NumberFormatting.decimal(mantissa: 5, exponent: -3) == "0.005")
        #expect(NumberFormatting.decimal(mantissa: 2, exponent: 3) == "2000")
        #expect(NumberFormatting.scientific(mantissa: 25, exponent: -8) == "2.5e\u{2212}7")
        #expect(NumberFormatting.scientific(mantissa: 10, exponent: -7) == "1e\u{2212}6")
    }

    @Test func escapesMarkupCharacters() {
        #expect(XMLEscaping.escape("a<b & \"c\" 'd' >") == "a&lt;b &amp; &quot;c&quot; &#39;d&#39; &gt;")
        #expect(XMLEscaping.escape("tab\tok\u{1}bad") == "tab\tok\u{FFFD}bad")
        #expect(XMLEscaping.escape("‖∂C/∂W‖ ∝ h²") == "‖∂C/∂W‖ ∝ h²")
    }

    @Test func escapesTextInCharts() {
        let svg = LineChart(
            title: "<script>alert('x')</script> & co",
            series: [LineSeries("a\"b", y: [1, 2])]
        ).svg()
        #expect(svg.contains("<title>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co</title>"))
        #expect(svg.contains(">a&quot;b</text>"))
        #expect(!svg.contains("<script>"))
        #expect(parseXML(svg).isWellFormed)
    }

    @Test func colorsAndMaps() {
        #expect(Color(hex: 0x0072B2).description == "#0072B2")
        #expect(Color(red: 1, green: 2, blue: 255).description == "#0102FF")
        #expect(ColorMap.viridis.color(at: 0) == Color(hex: 0x440154))
        #expect(ColorMap.viridis.color(at: 1) == Color(hex: 0xFDE725))
        #expect(ColorMap.viridis.color(at: 2) == Color(hex: 0xFDE725))
        #expect(ColorMap.viridis.color(at: .nan) == Color(hex: 0x440154))
        #expect(ColorMap.viridis.color(at: 0.0625) == Color(hex: 0x461768))
        #expect(Color.white.luminance == 1 && Color.black.luminance == 0)
        #expect(Palette.sequential(count: 3).first == ColorMap.viridis.color(at: 0))
    }
}
