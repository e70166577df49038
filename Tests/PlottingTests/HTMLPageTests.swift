import Testing
@testable import Plotting

@Suite("HTML pages")
struct HTMLPageTests {
    @Test func escapesAllText() {
        var page = HTMLPage(title: "Report <1> & \"2\"")
        page.paragraph("a < b")
        page.preformatted("<stdout>\n  x & y")
        page.table(header: ["name", "value"], rows: [["<W>", "1.5e\u{2212}7"], ["b", "n/a"]], caption: "worst & best")
        let html = page.render()
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
        #expect(html.contains("<title>Report &lt;1&gt; &amp; &quot;2&quot;</title>"))
        #expect(html.contains("<p>a &lt; b</p>"))
        #expect(html.contains("<pre>&lt;stdout&gt;\n  x &amp; y</pre>"))
        #expect(html.contains("<caption>worst &amp; best</caption>"))
        #expect(html.contains("<tr><td>&lt;W&gt;</td><td class=\"number\">1.5e\u{2212}7</td></tr>"))
        #expect(html.contains("<tr><td>b</td><td>n/a</td></tr>"))
    }

    @Test func embedsSVGInlineInSections() {
        var page = HTMLPage(title: "t")
        page.section("Sweep") { section in
            section.paragraph("text")
            section.figure(
                svg: "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>\n", caption: "V")
        }
        let html = page.render()
        #expect(
            html.contains(
                "<section>\n<h2>Sweep</h2>\n<p>text</p>\n<figure>\n<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>\n<figcaption>V</figcaption>\n</figure>\n</section>\n"
            ))
        #expect(!html.contains("<?xml"))
    }

    @Test(arguments: [
        ("0.5", true), ("−3", true), ("1.2e−7", true), ("12 %", true), ("yes", false), ("e5", false),
        ("", false), ("W1", false), ("-", false)
    ])
    func numericCells(cell: String, isNumber: Bool) {
        #expect(HTMLBlock.isNumber(cell) == isNumber)
    }

    @Test func pagesWithFiguresAreWellFormedAsXHTMLBodies() {
        var page = HTMLPage(title: "t")
        page.figure(svg: GoldenFigures.heatmap().svg())
        let body = page.render().components(separatedBy: "<body>\n")[1].components(separatedBy: "</body>")[0]
        #expect(parseXML("<body>" + body + "</body>").isWellFormed)
    }
}
