import ArgumentParser
import Exec
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `gradscope-bench exec-serve`: a trivial `gradscope/1` program for `gradscope-bench exec`,
/// so the protocol is measured without an interpreter's own costs.
///
/// f(x) = ½ Σᵢ cᵢ xᵢ² with cᵢ = 1 + (i mod 7)/7 and x₀ᵢ = sin(i + 1); an offset request is
/// evaluated in O(offset) from f(x₀) (f(x₀ + d) = f(x₀) + Σₖ cᵢ(x₀ᵢ dₖ + ½ dₖ²)); `--cost-ms`
/// sleeps that long per evaluation to stand in for a real model's work. Answers are written
/// when no further request is already waiting (pipelining), one write per run of answers.
struct ExecServe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec-serve",
        abstract: "A trivial gradscope/1 program (used by `gradscope-bench exec`).",
        shouldDisplay: false)

    @Option(help: "Parameters.")
    var n = 10

    @Option(help: "Milliseconds to sleep per evaluation.")
    var costMs = 0.0

    func run() throws {
        let c = (0..<n).map { 1 + Double($0 % 7) / 7 }
        let x = (0..<n).map { sin(Double($0 + 1)) }
        let f0 = zip(c, x).reduce(0) { $0 + 0.5 * $1.0 * $1.1 * $1.1 }
        var out = [UInt8]()
        func number(_ v: Double) { out.append(contentsOf: v.description.utf8) }
        out.append(contentsOf: #"{"protocol":"gradscope/1","dtype":"float64","x":["#.utf8)
        for (i, v) in x.enumerated() { if i > 0 { out.append(44) }; number(v) }
        out.append(contentsOf: "]}\n".utf8)
        flush(&out)

        var input = [UInt8](), consumed = 0
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            guard let newline = input[consumed...].firstIndex(of: 0x0A) else {
                flush(&out)
                input.removeFirst(consumed); consumed = 0
                let got = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress!, $0.count) }
                if got <= 0 { return }
                input.append(contentsOf: chunk[0..<got])
                continue
            }
            let line = Array(input[consumed..<newline])
            consumed = newline + 1
            let request = try JSONLineParser.parse(line)
            if request["op"]?.string == "exit" { flush(&out); return }
            if costMs > 0 { usleep(useconds_t(costMs * 1000)) }
            var value = f0
            if let offset = request["offset"], let indices = offset["indices"]?.numbers,
                let values = offset["values"]?.numbers
            {
                for (i, d) in zip(indices, values) { let k = Int(i); value += c[k] * (x[k] * d + 0.5 * d * d) }
            }
            out.append(contentsOf: #"{"id":"#.utf8)
            out.append(contentsOf: String(request["id"]?.integer ?? 0).utf8)
            out.append(contentsOf: #","value":"#.utf8)
            number(value)
            if request["gradient"] == .bool(true) {
                out.append(contentsOf: #","gradient":["#.utf8)
                for i in 0..<n { if i > 0 { out.append(44) }; number(c[i] * x[i]) }
                out.append(93)
            }
            out.append(contentsOf: "}\n".utf8)
        }
    }

    func flush(_ out: inout [UInt8]) {
        var written = 0
        while written < out.count {
            let n = out.withUnsafeBytes { write(1, $0.baseAddress! + written, $0.count - written) }
            if n <= 0 { if errno == EINTR { continue }; Foundation.exit(1) }
            written += n
        }
        out.removeAll(keepingCapacity: true)
    }
}
