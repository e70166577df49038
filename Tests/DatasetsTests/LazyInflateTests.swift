import Foundation
import Testing
@testable import Datasets

/// Compressed IDX files are inflated only as far as their header declares.
struct LazyInflateTests {
    /// A valid header for 10 images of 28×28 followed by 1 GiB of zeros, about 1 MB compressed
    /// (the header, then 1024 gzip members of 1 MiB of zeros each; gzip allows members end to end).
    static func bomb() -> [UInt8] {
        let header: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 10, 0, 0, 0, 28, 0, 0, 0, 28]
        let member = Gzip.compress([UInt8](repeating: 0, count: 1 << 20), level: 9)
        var file = Gzip.compress(header)
        file.reserveCapacity(file.count + 1024 * member.count)
        for _ in 0..<1024 { file += member }
        return file
    }

    @Test func aGzipBombFailsFastAtTheDeclaredSize() throws {
        let bomb = Self.bomb()
        #expect(bomb.count < 1_500_000)
        let started = Date()
        expectError(
            .idxStreamTooLong(file: "train-images-idx3-ubyte.gz", dimensions: [10, 28, 28], declaredBytes: 7856),
            message:
                "train-images-idx3-ubyte.gz: the gzip stream holds more than the 7856 bytes its 10×28×28 header declares (inflation stopped at byte offset 7856)"
        ) {
            _ = try IDX.decodeFile(bomb, rank: 3, file: "train-images-idx3-ubyte.gz")
        }
        // One 64 KiB chunk past the header, not 1 GiB: well under a second even in a debug build.
        #expect(Date().timeIntervalSince(started) < 2)
    }

    @Test func theHeaderIsCheckedFromTheFirstInflatedBytes() {
        // A wrong magic number behind 1 GiB of zeros is reported without inflating them.
        var bytes = Gzip.compress([0, 9, 8, 3])
        let member = Gzip.compress([UInt8](repeating: 0, count: 1 << 20), level: 9)
        for _ in 0..<64 { bytes += member }
        expectError(
            .idxMagic(file: "x.gz", offset: 0, found: [0, 9]),
            message: "x.gz: magic bytes 00 09 at byte offset 0 are not 00 00 (not an IDX file)"
        ) {
            _ = try IDX.decodeFile(bytes, rank: 3, file: "x.gz")
        }
    }

    @Test func validCompressedFilesStillRead() throws {
        let array = IDXArray(dimensions: [3, 4, 5], bytes: (0..<60).map { UInt8($0) })
        let encoded = IDX.encode(array)
        #expect(try IDX.decodeFile(Gzip.compress(encoded), rank: 3, file: "a.gz") == array)
        // Split across two members.
        let twoMembers = Gzip.compress(Array(encoded.prefix(7))) + Gzip.compress(Array(encoded.dropFirst(7)))
        #expect(try IDX.decodeFile(twoMembers, rank: 3, file: "a.gz") == array)
    }
}
