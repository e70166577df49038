import Testing
import XCTest

/// Records a failure in whichever framework is running the current test: a Swift Testing
/// issue at `sourceLocation` when called from a `@Test`, otherwise an XCTest failure (whose
/// location is this helper's; the XCTest-named helpers, e.g.
/// ``XCTAssertGradientsMatch(of:at:name:configuration:allowInconclusive:file:line:)``, give
/// the caller's).
func recordFailure(_ message: String, sourceLocation: SourceLocation) {
    if Test.current != nil {
        Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
    } else {
        XCTFail("\(sourceLocation.fileID):\(sourceLocation.line): \(message)")
    }
}
