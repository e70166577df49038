import Foundation
import Testing
import GradCheck
@testable import Exec

/// The vector-valued extension of gradscope/1 (hello `outputs`, `cotangent` pullbacks) and
/// peers on inherited descriptors (`--exec-fds`).
struct VectorProgramTests {
    typealias S = ExecTestSupport

    @Test func helloAnnouncesOutputs() throws {
        let hello = try Hello(
            JSONLineParser.parse(
                #"{"protocol":"gradscope/1","x":[1,2],"outputs":[{"name":"s","shape":[2,3]},{"name":"t","shape":[]}]}"#)
        )
        #expect(hello.outputs?.map(\.name) == ["s", "t"])
        #expect(hello.outputs?.map(\.offset) == [0, 6])
        #expect(hello.outputCount == 7)
        let scalar = try Hello(JSONLineParser.parse(#"{"protocol":"gradscope/1","x":[1,2]}"#))
        #expect(scalar.outputs == nil)
    }

    @Test(arguments: [
        (#""outputs":[]"#, "\"outputs\" must be a non-empty array"),
        (#""outputs":[{"name":"s","shape":[2]},{"name":"s","shape":[1]}]"#, "two outputs are named \"s\""),
        (#""outputs":[{"name":"s","shape":[-1]}]"#, "dimensions must be non-negative integers"),
        (#""outputs":[{"name":"s","shape":[1099511627776,1099511627776]}]"#, "more than 2^40 entries")
    ])
    func badOutputsAreRefused(_ member: String, _ message: String) throws {
        let json = try JSONLineParser.parse(#"{"protocol":"gradscope/1","x":[1,2],"# + member + "}")
        #expect(throws: ExecError.self) { try Hello(json) }
        do { _ = try Hello(json) } catch { #expect(error.description.contains(message), "\(error)") }
    }

    @Test func pullbackRequestCarriesTheCotangent() throws {
        var bytes = [UInt8]()
        Request(cotangent: [1, -2.5]).encode(id: 4, into: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"id":4,"op":"evaluate","cotangent":[1.0,-2.5]}"# + "\n")
        let request = Request(cotangent: [1, 0])
        let answer = try JSONLineParser.parse(#"{"id":4,"value":[0.5,0.25],"gradient":[1,2,3]}"#)
        let response = try Response(answer, id: 4, request: request, what: "pullback", count: 3, outputCount: 2)
        #expect(response.outputs == [0.5, 0.25] && response.gradient == [1, 2, 3])
        let short = try JSONLineParser.parse(#"{"id":4,"value":[0.5]}"#)
        #expect(throws: ExecError.self) {
            try Response(short, id: 4, request: Request(), what: "value", count: 3, outputCount: 2)
        }
    }

    @Test(arguments: [
        ("", CheckVerdict.pass, [String]()), ("diag", .fail, ["diagonal-only"]),
        ("scale", .fail, ["scale"]), ("acc", .fail, ["vjp-zero-cotangent", "vjp-nonlinear", "vjp-not-reentrant"])
    ])
    func vectorProgramIsCheckedAsAJacobian(_ bug: String, _ verdict: CheckVerdict, _ expected: [String]) {
        let codes = Set(expected)
        for jobs in [1, 2] {
            let report = S.run(S.example("softmax_vjp.py", bug), jobs: jobs)
            #expect(report.verdict == verdict, "\(report.errorMessage ?? "")")
            #expect(report.kind == "jacobian")
            #expect(report.blocks.map(\.name) == ["∂s/∂z"])
            let found = Set(
                report.blocks.flatMap { $0.diagnosis.map(\.code.rawValue) } + report.diagnosis.map(\.code.rawValue))
            #expect(codes.isSubset(of: found) && (bug == "acc" || found == codes), "\(found)")
        }
    }

    /// A peer that is already running: this test process serves the program's side of the
    /// conversation through two pipes, as the Python package does.
    @Test func peerOnInheritedDescriptors() throws {
        var requests: [Int32] = [0, 0], answers: [Int32] = [0, 0]
        #expect(pipe(&requests) == 0 && pipe(&answers) == 0)
        let (serverInput, serverOutput) = (requests[0], answers[1])
        let server = Thread {
            let input = FileHandle(fileDescriptor: serverInput, closeOnDealloc: true)
            let output = FileHandle(fileDescriptor: serverOutput, closeOnDealloc: true)
            output.write(Data(#"{"protocol":"gradscope/1","x":[1.0,2.0,3.0]}"#.utf8 + [0x0A]))
            var buffer = Data()
            while true {
                let chunk = input.availableData
                if chunk.isEmpty { return }
                buffer += chunk
                while let newline = buffer.firstIndex(of: 0x0A) {
                    let line = buffer[buffer.startIndex..<newline]
                    buffer = Data(buffer[(newline + 1)...])
                    guard let request = try? JSONLineParser.parse(String(decoding: line, as: UTF8.self)),
                        let id = request["id"]?.integer
                    else { return }
                    var x = [1.0, 2.0, 3.0]
                    if let indices = request["offset"]?["indices"]?.array,
                        let values = request["offset"]?["values"]?.numbers
                    {
                        for (i, v) in zip(indices.compactMap(\.integer), values) { x[i] += v }
                    }
                    let value = x.map { $0 * $0 * $0 }.reduce(0, +) / 3
                    var reply = #"{"id":\#(id),"value":\#(value)"#
                    if request["gradient"] != nil {
                        reply += #","gradient":[\#(x.map { "\($0 * $0)" }.joined(separator: ","))]"#
                    }
                    output.write(Data((reply + "}\n").utf8))
                }
            }
        }
        server.start()
        let check = ExecCheck(descriptors: [(read: answers[0], write: requests[1])], label: "test peer", timeout: 10)
        let (title, report) = check.run(CheckConfiguration())
        #expect(report.verdict == .pass, "\(report.errorMessage ?? "")")
        #expect(report.entries.count == 3)
        #expect(title.hasPrefix("`test peer`"))
    }
}
