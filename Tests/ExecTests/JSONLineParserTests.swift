import Testing
@testable import Exec

struct JSONLineParserTests {
    @Test func strictJSON() throws {
        let v = try JSONLineParser.parse(
            #" {"id": 8, "value": -0.2876e-3, "ok": true, "no": false, "n": null, "g": [1, 2.5, -3E2], "s": "a\"b\\c\/\n\u00e9\ud83d\ude00"} "#
        )
        #expect(v["id"] == .number(8))
        #expect(v["value"] == .number(-0.2876e-3))
        #expect(v["ok"] == .bool(true) && v["no"] == .bool(false) && v["n"] == .null)
        #expect(v["g"]?.numbers == [1, 2.5, -300])
        #expect(v["s"] == .string("a\"b\\c/\né😀"))
        #expect(v["missing"] == nil)
        #expect(try JSONLineParser.parse("[]") == .array([]))
        #expect(try JSONLineParser.parse("{}") == .object([]))
    }

    /// Arrays of numbers are kept as [Double]; they equal the same array of number values, and
    /// an array that turns out to hold something else is read as usual.
    @Test func numberArrays() throws {
        let v = try JSONLineParser.parse(
            #"{"x": [1, -2.5, NaN], "mixed": [1, 2, "three", [4]], "nested": [[1, 2], [3]], "late": [1, null]}"#)
        guard case .numberArray(let x) = v["x"] else {
            Issue.record("not compact: \(String(describing: v["x"]))"); return
        }
        #expect(x.count == 3 && x[0] == 1 && x[1] == -2.5 && x[2].isNaN)
        #expect(v["x"] == .array([.number(1), .number(-2.5), .number(.nan)]))
        #expect(v["x"]?.array == [.number(1), .number(-2.5), .number(.nan)])
        #expect(v["mixed"] == .array([.number(1), .number(2), .string("three"), .numberArray([4])]))
        #expect(v["mixed"]?.numbers == nil)
        #expect(v["nested"]?.array?.count == 2)
        #expect(v["nested"]?.array?[1].numbers == [3])
        #expect(v["late"]?.array == [.number(1), .null])
        let late = try #require(v["late"]?.numbers)
        #expect(late[0] == 1 && late[1].isNaN)
        #expect(JSONValue.numberArray([1, 2, 3, 4]).summary == "[4 values]")
        #expect(JSONValue.numberArray([1, 2.5]).summary == "[1, 2.5]")
        #expect(JSONValue.numberArray([1]) != .array([.string("1")]))
        for bad in ["[1, 2", "[1 2]", "[1, ]", "[1, \"a\""] {
            #expect(throws: JSONSyntaxError.self, "\(bad)") { try JSONLineParser.parse(bad) }
        }
    }

    @Test func numbersRoundTrip() throws {
        for x in [
            0.1, 1e-300, Double.leastNonzeroMagnitude, 1.7976931348623157e308, -2.2250738585072014e-308,
            0.2876000000000001, 123456789012345680
        ] {
            #expect(try JSONLineParser.parse(x.description) == .number(x), "\(x)")
        }
    }

    /// Python's json writes NaN, Infinity, -Infinity; C's printf writes nan, inf, -inf; null
    /// reads as NaN where a number is expected. Strings that spell them stay strings.
    @Test func nonFiniteTokens() throws {
        let v = try JSONLineParser.parse(
            #"{"g": [NaN, Infinity, -Infinity, nan, inf, -inf, +inf, -nan, null, 1], "s": "NaN", "t": "Infinity, -Infinity"}"#
        )
        let g = try #require(v["g"]?.numbers)
        #expect(g[0].isNaN && g[3].isNaN && g[7].isNaN && g[8].isNaN)
        #expect(g[1] == .infinity && g[4] == .infinity && g[6] == .infinity)
        #expect(g[2] == -.infinity && g[5] == -.infinity)
        #expect(g[9] == 1)
        #expect(v["s"] == .string("NaN"))
        #expect(v["t"] == .string("Infinity, -Infinity"))
        #expect(v["s"]?.number == nil)
    }

    @Test(arguments: [
        ("loading data...", "not JSON at byte 0"),
        (#"{"id": 1"#, "expected ',' or '}' in an object at byte 8"),
        (#"{"id": 1} extra"#, "unexpected text after the value at byte 10"),
        (#"{id: 1}"#, "expected a member name in quotes at byte 1"),
        (#"[1, 2,]"#, "not JSON at byte 6"),
        (#"[1.2.3]"#, "malformed number at byte 1"),
        (#"[-Inf]"#, "not a number at byte 1"),
        (#""abc"#, "unterminated string at byte 4"),
        ("\"a\u{01}b\"", "control character in a string at byte 2"),
        (#""\x""#, "invalid escape at byte 2"),
        ("", "unexpected end of line at byte 0")
    ])
    func malformedLines(_ line: String, _ message: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONLineParser.parse(line) }
        do {
            _ = try JSONLineParser.parse(line)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let line = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONSyntaxError.self) { try JSONLineParser.parse(line) }
    }
}
