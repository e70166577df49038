import Foundation
import Testing
@testable import TensorCore

/// The golden values come from an independent Python implementation (Fixtures/prng_golden.py).
struct PRNGTests {
    struct Golden: Decodable { var uint64: [String]; var double: [Double] }

    static func golden() throws -> [String: Golden] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/prng_golden.json")
        var object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        object["provenance"] = nil
        let data = try JSONSerialization.data(withJSONObject: object)
        return try JSONDecoder().decode([String: Golden].self, from: data)
    }

    @Test(arguments: ["0", "42", "18446744073709551615"])
    func goldenSequence(seed: String) throws {
        let g = try #require(try Self.golden()[seed])
        var rng = PRNG(seed: UInt64(seed)!)
        let raw = (0..<8).map { _ in rng.next() }
        #expect(raw == g.uint64.map { UInt64($0)! })
        var again = PRNG(seed: UInt64(seed)!)
        let doubles = (0..<8).map { _ in again.nextDouble() }
        #expect(doubles == g.double)
    }

    @Test func boundedIntegersAreInRangeAndCoverIt() {
        var rng = PRNG(seed: 7)
        var counts = [Int](repeating: 0, count: 7)
        for _ in 0..<7000 { counts[rng.nextInt(below: 7)] += 1 }
        // Each bucket expects 1000; 6 standard deviations is ~ 190.
        #expect(counts.allSatisfy { abs($0 - 1000) < 190 }, "\(counts)")
    }

    @Test func permutationIsAPermutationAndSeeded() {
        var a = PRNG(seed: 3), b = PRNG(seed: 3)
        let p = a.permutation(100)
        #expect(p.sorted() == Array(0..<100))
        #expect(p == b.permutation(100))
        #expect(p != Array(0..<100))
    }

    @Test func normalMomentsAreStandard() {
        var rng = PRNG(seed: 11)
        let n = 20000
        let xs = (0..<n).map { _ in rng.nextNormal() }
        let mean = xs.reduce(0, +) / Double(n)
        let variance = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n - 1)
        // Standard errors: mean 1/√n ≈ 0.007, variance √(2/n) ≈ 0.01; allow 5 of them.
        #expect(abs(mean) < 0.035)
        #expect(abs(variance - 1) < 0.05)
    }
}
