import Testing
@testable import Plotting

struct HTMLPageLinkTests {
    @Test func linksAreEscapedAnchors() {
        let html = HTMLBlock.links([HTMLLink("a <b>", href: "x/y.html?a=1&b=2")]).html()
        #expect(html == "<ul>\n<li><a href=\"x/y.html?a=1&amp;b=2\">a &lt;b&gt;</a></li>\n</ul>\n")
    }
}
