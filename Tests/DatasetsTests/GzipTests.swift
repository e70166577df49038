import Testing
@testable import Datasets

@Suite("gzip")
struct GzipTests {
    let text = Array("the quick brown fox jumps over the lazy dog; ".utf8) + (0..<5000).map { UInt8($0 % 251) }

    @Test func roundTrips() throws {
        let compressed = Gzip.compress(text)
        #expect(Array(compressed.prefix(3)) == [0x1f, 0x8b, 0x08])
        #expect(try Gzip.decompress(compressed, file: "t.gz") == text)
        #expect(try Gzip.decompress(Gzip.compress([]), file: "t.gz") == [])
    }

    @Test func isDeterministic() {
        #expect(Gzip.compress(text) == Gzip.compress(text))
    }

    @Test func decompressesConcatenatedMembers() throws {
        let two = Gzip.compress(Array(text.prefix(100))) + Gzip.compress(Array(text.dropFirst(100)))
        #expect(try Gzip.decompress(two, file: "t.gz") == text)
    }

    @Test func detectsMagic() {
        #expect(Gzip.isGzip([0x1f, 0x8b]))
        #expect(!Gzip.isGzip([0x1f]))
        #expect(!Gzip.isGzip(IDX.encode(IDXArray(dimensions: [1], bytes: [0]))))
    }

    @Test func reportsAWrongChecksum() {
        var compressed = Gzip.compress(text)
        compressed[compressed.count - 8] ^= 0x01
        expectError(
            .gzipCorrupt(file: "t.gz", offset: compressed.count - 4, reason: "incorrect data check"),
            message: "t.gz: corrupt gzip data at compressed byte offset \(compressed.count - 4): incorrect data check"
        ) {
            _ = try Gzip.decompress(compressed, file: "t.gz")
        }
    }

    @Test func reportsAnUnknownCompressionMethod() {
        var compressed = Gzip.compress(text)
        compressed[2] = 0x07
        // zlib reads the method and flags bytes (offsets 2 and 3) before it checks them.
        expectError(
            .gzipCorrupt(file: "t.gz", offset: 4, reason: "unknown compression method"),
            message: "t.gz: corrupt gzip data at compressed byte offset 4: unknown compression method"
        ) {
            _ = try Gzip.decompress(compressed, file: "t.gz")
        }
    }

    @Test func reportsAnInvalidBlockType() {
        var compressed = Gzip.compress(text)
        compressed[10] |= 0b110
        expectError(
            .gzipCorrupt(file: "t.gz", offset: 11, reason: "invalid block type"),
            message: "t.gz: corrupt gzip data at compressed byte offset 11: invalid block type"
        ) {
            _ = try Gzip.decompress(compressed, file: "t.gz")
        }
    }

    @Test func reportsATruncatedStream() {
        let compressed = Array(Gzip.compress(text).dropLast(6))
        expectError(
            .gzipTruncated(file: "t.gz", offset: compressed.count),
            message: "t.gz: gzip stream ends early at compressed byte offset \(compressed.count) (truncated file)"
        ) {
            _ = try Gzip.decompress(compressed, file: "t.gz")
        }
    }

    @Test func reportsTrailingGarbage() {
        let compressed = Gzip.compress(text)
        expectError(
            .gzipCorrupt(file: "t.gz", offset: compressed.count, reason: "3 bytes after the end of the gzip stream"),
            message:
                "t.gz: corrupt gzip data at compressed byte offset \(compressed.count): 3 bytes after the end of the gzip stream"
        ) {
            _ = try Gzip.decompress(compressed + [1, 2, 3], file: "t.gz")
        }
    }
}
