import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// What Foundation's XMLParser made of a document.
struct XMLCheck {
    var isWellFormed: Bool
    var error: String?
    var rootElement: String?
    /// How many elements of each name the document has.
    var elementCounts: [String: Int]
}

private final class ElementCounter: NSObject, XMLParserDelegate {
    var root: String?
    var counts: [String: Int] = [:]

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
        qualifiedName: String?, attributes: [String: String] = [:]
    ) {
        if root == nil { root = elementName }
        counts[elementName, default: 0] += 1
    }
}

/// Parses `document` as XML.
func parseXML(_ document: String) -> XMLCheck {
    let parser = XMLParser(data: Data(document.utf8))
    let counter = ElementCounter()
    parser.delegate = counter
    let ok = parser.parse()
    return XMLCheck(
        isWellFormed: ok, error: parser.parserError.map { "\($0)" }, rootElement: counter.root,
        elementCounts: counter.counts)
}
