import Testing
@testable import Exec

struct JSONLineParserTests {
    @Test func placeholder() throws {
        #expect(try JSONLineParser.parse("1") == .number(1))
    }
}
