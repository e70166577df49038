import Testing
import GradCheck
@testable import Exec

struct MessagesTests {
    func encoded(_ r: Request, id: Int) -> String {
        var bytes = [UInt8]()
        r.encode(id: id, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func requestLines() {
        #expect(encoded(Request(), id: 7) == "{\"id\":7,\"op\":\"evaluate\"}\n")
        #expect(encoded(Request(gradient: true), id: 8) == "{\"id\":8,\"op\":\"evaluate\",\"gradient\":true}\n")
        #expect(
            encoded(Request(offset: Perturbation(indices: [17, 40], values: [1e-6, -2e-6])), id: 9)
                == "{\"id\":9,\"op\":\"evaluate\",\"offset\":{\"indices\":[17,40],\"values\":[1e-06,-2e-06]}}\n")
    }

    @Test func requestSummaries() {
        let blocks = ObjectiveBlock.consecutive([("Theta1", [5, 4]), ("b", [3])])
        #expect(Request(gradient: true).summary(blocks: blocks) == "value and gradient at x")
        #expect(Request(offset: .coordinate(9, 1e-5)).summary(blocks: blocks) == "value at x + 1e-05 on Theta1[2, 1]")
        #expect(Request(offset: .coordinate(21, -0.5)).summary(blocks: blocks) == "value at x + -0.5 on b[1]")
        #expect(
            Request(offset: Perturbation(indices: [1, 2], values: [1, 1])).summary(blocks: blocks)
                == "value at x + an offset on 2 entries")
    }

    func response(_ line: String, gradient: Bool = false, count: Int = 2) throws(ExecError) -> Response {
        try Response(
            try! JSONLineParser.parse(line), id: 3, request: Request(gradient: gradient), what: "value at x",
            count: count)
    }

    @Test func responses() throws {
        #expect(try response(#"{"id": 3, "value": 0.25}"#) == Response(value: 0.25))
        #expect(
            try response(#"{"id": 3, "value": 0.25, "gradient": [1, null], "extra": "ignored"}"#, gradient: true)
                .gradient?[0] == 1)
        #expect(try response(#"{"id": 3, "value": null}"#).value.isNaN)
        #expect(try response(#"{"id": 3, "value": -Infinity}"#).value == -.infinity)
    }

    @Test(arguments: [
        (
            #"{"id": 4, "value": 1}"#, false,
            "request 3 (value at x) was answered with id 4; answers must come in order, one per request"
        ),
        (
            #"{"id": "3", "value": 1}"#, false,
            "request 3 (value at x) was answered with id \"3\"; answers must come in order, one per request"
        ),
        (#"{"value": 1}"#, false, "request 3 (value at x): the answer has no \"id\": {\"value\": 1}"),
        (#"[3, 1]"#, false, "request 3 (value at x): the answer is [3, 1], not a JSON object"),
        (#"{"id": 3}"#, false, "request 3 (value at x): the answer has neither \"value\" nor \"error\": {\"id\": 3}"),
        (#"{"id": 3, "value": "1"}"#, false, "request 3 (value at x): \"value\" is \"1\", not a number"),
        (
            #"{"id": 3, "error": "ValueError: bad"}"#, false,
            "request 3 (value at x): the program answered with an error: ValueError: bad"
        ),
        (#"{"id": 3, "value": 1}"#, true, "request 3 (value at x): the answer has no \"gradient\""),
        (
            #"{"id": 3, "value": 1, "gradient": [1]}"#, true,
            "request 3 (value at x): the gradient has 1 entry, expected 2 (one per entry of x)"
        ),
        (
            #"{"id": 3, "value": 1, "gradient": [1, 2, 3]}"#, true,
            "request 3 (value at x): the gradient has 3 entries, expected 2 (one per entry of x)"
        ),
        (
            #"{"id": 3, "value": 1, "gradient": [1, "2"]}"#, true,
            "request 3 (value at x): \"gradient\" must be an array of numbers, got [1, \"2\"]"
        )
    ])
    func badResponses(_ line: String, _ gradient: Bool, _ message: String) {
        do {
            _ = try response(line, gradient: gradient)
            Issue.record("accepted \(line)")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func helloWithBlocksAndDtype() throws {
        let hello = try Hello(
            JSONLineParser.parse(
                #"{"protocol": "gradscope/1", "parameters": [{"name": "Theta1", "shape": [2, 2]}, {"name": "b", "shape": [1]}], "x": [1, 2, 3, 4, 5], "dtype": "torch.float32", "examples": 5, "future": {"ignored": true}}"#
            ))
        #expect(hello.blocks == ObjectiveBlock.consecutive([("Theta1", [2, 2]), ("b", [1])]))
        #expect(hello.x == [1, 2, 3, 4, 5])
        #expect(hello.precision == .float32)
        #expect(hello.examples == 5)
        let plain = try Hello(JSONLineParser.parse(#"{"protocol": "gradscope/1", "x": [0.5]}"#))
        #expect(plain.blocks == [ObjectiveBlock(name: "x", shape: [1], offset: 0)])
        #expect(plain.precision == .float64 && plain.dtype == nil && plain.examples == nil)
    }

    @Test(arguments: [
        (#"[1, 2]"#, "not a gradscope/1 hello: the first line is [1, 2], not a JSON object"),
        (
            #"{"id": 1, "value": 2}"#,
            "not a gradscope/1 hello: the first line has no \"protocol\" member: {\"id\": 1, \"value\": 2}"
        ),
        (
            #"{"protocol": "gradscope/2", "x": [1]}"#,
            "not a gradscope/1 hello: the program speaks \"gradscope/2\", this checker speaks \"gradscope/1\""
        ),
        (#"{"protocol": "gradscope/1"}"#, "not a gradscope/1 hello: no \"x\" (the point to check)"),
        (
            #"{"protocol": "gradscope/1", "x": "1,2"}"#,
            "not a gradscope/1 hello: \"x\" must be an array of numbers, got \"1,2\""
        ),
        (#"{"protocol": "gradscope/1", "x": []}"#, "not a gradscope/1 hello: \"x\" is empty: nothing to check"),
        (
            #"{"protocol": "gradscope/1", "x": [1, NaN]}"#,
            "not a gradscope/1 hello: \"x\" has a non-finite entry at index 1 (nan)"
        ),
        (
            #"{"protocol": "gradscope/1", "x": [1, 2], "parameters": [{"name": "W", "shape": [3]}]}"#,
            "not a gradscope/1 hello: the parameters (W [3]) hold 3 values but \"x\" has 2"
        ),
        (
            #"{"protocol": "gradscope/1", "x": [1, 2], "parameters": [{"name": "W", "shape": [1]}, {"name": "W", "shape": [1]}]}"#,
            "not a gradscope/1 hello: two parameters are named \"W\""
        ),
        (
            #"{"protocol": "gradscope/1", "x": [1, 2], "parameters": [{"shape": [2]}]}"#,
            "not a gradscope/1 hello: parameter 0 has no \"name\" string: {\"shape\": [2]}"
        ),
        (
            #"{"protocol": "gradscope/1", "x": [1, 2], "parameters": [{"name": "W", "shape": [2.5]}]}"#,
            "not a gradscope/1 hello: parameter \"W\" has shape [2.5]: dimensions must be non-negative integers"
        ),
        (
            #"{"protocol": "gradscope/1", "x": [1], "dtype": "bfloat16"}"#,
            "not a gradscope/1 hello: \"dtype\" \"bfloat16\" is not supported: float32 or float64 (the checker's error model needs the precision)"
        ),
        (
            #"{"protocol": "gradscope/1", "x": [1], "examples": 0}"#,
            "not a gradscope/1 hello: \"examples\" must be a positive integer, got 0"
        )
    ])
    func badHellos(_ line: String, _ message: String) throws {
        let json = try JSONLineParser.parse(line)
        do {
            _ = try Hello(json)
            Issue.record("accepted \(line)")
        } catch {
            #expect(error.description == message)
        }
    }
}
