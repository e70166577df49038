import Testing
@testable import Datasets

@Suite("IDX format")
struct IDXFormatTests {
    let labels = IDXArray(dimensions: [3], bytes: [7, 0, 9])
    let images = syntheticImages(count: 2, rows: 3, columns: 2).images

    @Test func encodesTheDocumentedHeader() {
        #expect(IDX.encode(labels) == [0, 0, 8, 1, 0, 0, 0, 3, 7, 0, 9])
        #expect(IDX.encode(images).prefix(16) == [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 2])
    }

    @Test(arguments: [false, true])
    func roundTripsThroughAFile(compressed: Bool) throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let path = folder.file(compressed ? "images.gz" : "images")
        try IDX.write(images, to: path, compressed: compressed)
        #expect(try IDX.read(path: path, rank: 3) == images)
        let stored = try readBytes(path: path)
        #expect(Gzip.isGzip(stored) == compressed)
    }

    @Test func decodesInMemory() throws {
        #expect(try IDX.decode(IDX.encode(images), rank: 3, file: "x") == images)
        #expect(
            try IDX.decode(Gzip.decompress(Gzip.compress(IDX.encode(labels)), file: "x"), rank: 1, file: "x") == labels)
    }

    @Test func rejectsWrongMagic() {
        var data = IDX.encode(labels)
        data[1] = 0x08
        expectError(
            .idxMagic(file: "l.idx", offset: 0, found: [0x00, 0x08]),
            message: "l.idx: magic bytes 00 08 at byte offset 0 are not 00 00 (not an IDX file)"
        ) {
            _ = try IDX.decode(data, rank: 1, file: "l.idx")
        }
    }

    @Test func rejectsTypeCodesOtherThanUnsignedByte() {
        var data = IDX.encode(labels)
        data[2] = 0x0D
        expectError(
            .idxTypeCode(file: "l.idx", offset: 2, found: 0x0D),
            message: "l.idx: type code 0D at byte offset 2 is not 08 (unsigned byte)"
        ) {
            _ = try IDX.decode(data, rank: 1, file: "l.idx")
        }
    }

    @Test func rejectsWrongRank() {
        expectError(
            .idxRank(file: "train-images-idx3-ubyte", offset: 3, found: 1, expected: 3),
            message: "train-images-idx3-ubyte: rank 1 at byte offset 3 is not 3"
        ) {
            _ = try IDX.decode(IDX.encode(labels), rank: 3, file: "train-images-idx3-ubyte")
        }
    }

    @Test func rejectsZeroAndNegativeDimensions() {
        var data = IDX.encode(images)
        data[8...11] = [0, 0, 0, 0]
        expectError(
            .idxDimension(file: "i", index: 1, offset: 8, value: 0),
            message: "i: dimension 1 = 0 at byte offset 8 is not in 1...2147483647"
        ) {
            _ = try IDX.decode(data, rank: 3, file: "i")
        }
        data[8...11] = [0x80, 0, 0, 0]
        expectError(
            .idxDimension(file: "i", index: 1, offset: 8, value: 0x8000_0000),
            message: "i: dimension 1 = 2147483648 at byte offset 8 is not in 1...2147483647"
        ) {
            _ = try IDX.decode(data, rank: 3, file: "i")
        }
    }

    @Test func rejectsAHeaderCutShort() {
        let data = IDX.encode(images)
        expectError(
            .idxHeaderTruncated(file: "i", field: "dimension 2", offset: 14),
            message: "i: file ends at byte offset 14 inside the header field 'dimension 2'"
        ) {
            _ = try IDX.decode(Array(data.prefix(14)), rank: 3, file: "i")
        }
        expectError(
            .idxHeaderTruncated(file: "i", field: "magic", offset: 1),
            message: "i: file ends at byte offset 1 inside the header field 'magic'"
        ) {
            _ = try IDX.decode([0], rank: 3, file: "i")
        }
        expectError(
            .idxHeaderTruncated(file: "i", field: "rank", offset: 3),
            message: "i: file ends at byte offset 3 inside the header field 'rank'"
        ) {
            _ = try IDX.decode([0, 0, 8], rank: 3, file: "i")
        }
    }

    @Test func rejectsTruncatedData() {
        let data = IDX.encode(images)
        expectError(
            .idxDataTruncated(file: "i", dimensions: [2, 3, 2], expectedBytes: 28, actualBytes: 27),
            message: "i: dimensions 2×3×2 need 28 bytes but the file ends at byte offset 27 (truncated)"
        ) {
            _ = try IDX.decode(Array(data.dropLast()), rank: 3, file: "i")
        }
    }

    @Test func rejectsDimensionsLargerThanTheFile() {
        var data = IDX.encode(images)
        data[7] = 3
        expectError(
            .idxDataTruncated(file: "i", dimensions: [3, 3, 2], expectedBytes: 34, actualBytes: 28),
            message: "i: dimensions 3×3×2 need 34 bytes but the file ends at byte offset 28 (truncated)"
        ) {
            _ = try IDX.decode(data, rank: 3, file: "i")
        }
    }

    @Test func rejectsTrailingBytes() {
        let data = IDX.encode(labels) + [0, 0]
        expectError(
            .idxTrailingBytes(file: "l", dimensions: [3], offset: 11, count: 2),
            message: "l: 2 trailing bytes at byte offset 11 after the 3 data"
        ) {
            _ = try IDX.decode(data, rank: 1, file: "l")
        }
    }

    @Test func rejectsCorruptGzipInsideAnIDXFile() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        var compressed = Gzip.compress(IDX.encode(labels))
        compressed[compressed.count - 8] ^= 0xFF
        try folder.write(compressed, to: "labels.gz")
        expectError(
            .gzipCorrupt(file: "labels.gz", offset: compressed.count - 4, reason: "incorrect data check"),
            message:
                "labels.gz: corrupt gzip data at compressed byte offset \(compressed.count - 4): incorrect data check"
        ) {
            _ = try IDX.read(path: folder.file("labels.gz"), rank: 1)
        }
    }
}
