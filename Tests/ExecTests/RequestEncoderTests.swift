import Testing
import GradCheck
@testable import Exec

/// A request's line written in pieces is the whole line, byte for byte, and an offset along a
/// dense direction is written as the sparse offset of its non-zero entries.
struct RequestEncoderTests {
    func whole(_ r: Request, id: Int) -> [UInt8] {
        var bytes = [UInt8]()
        r.encode(id: id, into: &bytes)
        return bytes
    }

    func pieces(_ r: Request, id: Int, limit: Int) -> (bytes: [UInt8], pieces: Int) {
        var encoder = RequestEncoder(r, id: id)
        var all = [UInt8](), count = 0
        while !encoder.isDone {
            var piece = [UInt8]()
            encoder.encode(into: &piece, limit: limit)
            all += piece
            count += 1
        }
        return (all, count)
    }

    @Test(arguments: [1, 7, 64, 4096])
    func piecesMakeTheLine(limit: Int) {
        var rng = SystemRandomNumberGenerator()
        let direction = (0..<10_000).map { k in k % 7 == 3 ? 0 : Double.random(in: -1...1, using: &rng) }
        let requests = [
            Request(),
            Request(gradient: true),
            Request(offset: .coordinate(17, 1e-6)),
            Request(offset: Perturbation(indices: Array(0..<9000), values: (0..<9000).map { Double($0) * 1e-7 })),
            Request(offset: .along(direction, scale: 3e-5)),
            Request(cotangent: (0..<5000).map { Double($0) - 2.5 })
        ]
        for (k, r) in requests.enumerated() {
            let expected = whole(r, id: k + 3)
            let (bytes, count) = pieces(r, id: k + 3, limit: limit)
            #expect(bytes == expected, "request \(k) at limit \(limit)")
            if expected.count > 8 * 4096 { #expect(count > 1, "request \(k) came in one piece") }
        }
    }

    @Test func directionIsWrittenAsItsNonZeroEntries() {
        let direction: [Double] = [0.5, 0, -1, 0, 2]
        let dense = whole(Request(offset: .along(direction, scale: 0.25)), id: 1)
        let sparse = whole(Request(offset: Perturbation(indices: [0, 2, 4], values: [0.125, -0.25, 0.5])), id: 1)
        #expect(String(decoding: dense, as: UTF8.self) == String(decoding: sparse, as: UTF8.self))
        #expect(whole(Request(offset: .along([0, 0], scale: 1)), id: 2) == whole(Request(), id: 2))
        #expect(
            Request(offset: .along(direction, scale: 1)).summary(blocks: ObjectiveBlock.consecutive([("w", [5])]))
                == "value at x + an offset on 3 entries")
    }

    /// The pieces stay near the limit: a long offset never turns into one long text.
    @Test func piecesAreBounded() {
        let direction = [Double](repeating: 1.0 / 3.0, count: 200_000)
        var encoder = RequestEncoder(Request(offset: .along(direction, scale: 1e-7)), id: 9)
        var largest = 0
        while !encoder.isDone {
            var piece = [UInt8]()
            encoder.encode(into: &piece, limit: 1 << 16)
            largest = max(largest, piece.count)
        }
        // One step of the encoder writes at most slotsPerStep numbers of ≤ 25 bytes each.
        #expect(largest <= (1 << 16) + RequestEncoder.slotsPerStep * 26)
    }
}
