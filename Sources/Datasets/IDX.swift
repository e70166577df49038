import Foundation

/// The content of an IDX file of unsigned bytes: its dimensions and its elements in row-major order.
public struct IDXArray: Sendable, Equatable {
    public var dimensions: [Int]
    public var bytes: [UInt8]

    public init(dimensions: [Int], bytes: [UInt8]) {
        precondition(
            !dimensions.isEmpty && dimensions.count <= 255, "IDX rank must be 1...255, got \(dimensions.count)")
        precondition(
            dimensions.allSatisfy { $0 >= 1 && $0 <= Int(Int32.max) },
            "IDX dimensions must be 1...2³¹−1, got \(dimensions)")
        precondition(
            dimensions.reduce(1, *) == bytes.count,
            "IDX dimensions \(dimensions) need \(dimensions.reduce(1, *)) bytes, got \(bytes.count)")
        self.dimensions = dimensions
        self.bytes = bytes
    }
}

/// The IDX format of the MNIST files (LeCun, Cortes and Burges, "The MNIST database of handwritten
/// digits", section "File formats"), restricted to unsigned-byte elements:
///
/// | offset      | size | field                                        |
/// |-------------|------|----------------------------------------------|
/// | 0           | 2    | magic: 00 00                                 |
/// | 2           | 1    | type code: 08 (unsigned byte)                |
/// | 3           | 1    | rank r                                       |
/// | 4 + 4i      | 4    | dimension i, big-endian, 1...2³¹−1           |
/// | 4 + 4r      | ∏ dᵢ | elements, row-major (last dimension fastest) |
///
/// Files may be gzip-compressed (detected by the magic 1f 8b); byte offsets in errors then count in
/// the decompressed stream.
public enum IDX {
    /// Decodes and validates every header field, the rank and the total byte count.
    /// - Parameters:
    ///   - rank: the rank the file's role needs (3 for images, 1 for labels).
    ///   - file: the name used in error messages.
    public static func decode(_ data: [UInt8], rank: Int, file: String) throws(DatasetError) -> IDXArray {
        guard data.count >= 2 else { throw .idxHeaderTruncated(file: file, field: "magic", offset: data.count) }
        guard data[0] == 0, data[1] == 0 else { throw .idxMagic(file: file, offset: 0, found: Array(data[0..<2])) }
        guard data.count >= 3 else { throw .idxHeaderTruncated(file: file, field: "type code", offset: data.count) }
        guard data[2] == 0x08 else { throw .idxTypeCode(file: file, offset: 2, found: data[2]) }
        guard data.count >= 4 else { throw .idxHeaderTruncated(file: file, field: "rank", offset: data.count) }
        guard Int(data[3]) == rank else { throw .idxRank(file: file, offset: 3, found: Int(data[3]), expected: rank) }

        var dimensions: [Int] = []
        var elementCount = 1
        var overflow = false
        for index in 0..<rank {
            let offset = 4 + 4 * index
            guard data.count >= offset + 4 else {
                throw .idxHeaderTruncated(file: file, field: "dimension \(index)", offset: data.count)
            }
            let value = data[offset..<offset + 4].reduce(UInt32(0)) { ($0 << 8) | UInt32($1) }
            guard value >= 1, value <= UInt32(Int32.max) else {
                throw .idxDimension(file: file, index: index, offset: offset, value: value)
            }
            dimensions.append(Int(value))
            let (product, didOverflow) = elementCount.multipliedReportingOverflow(by: Int(value))
            elementCount = product
            overflow = overflow || didOverflow
        }

        let headerSize = 4 + 4 * rank
        let (expectedBytes, sumOverflow) = headerSize.addingReportingOverflow(elementCount)
        if overflow || sumOverflow || data.count < expectedBytes {
            throw .idxDataTruncated(
                file: file, dimensions: dimensions,
                expectedBytes: overflow || sumOverflow ? Int.max : expectedBytes,
                actualBytes: data.count)
        }
        guard data.count == expectedBytes else {
            throw .idxTrailingBytes(
                file: file, dimensions: dimensions, offset: expectedBytes,
                count: data.count - expectedBytes)
        }
        return IDXArray(dimensions: dimensions, bytes: Array(data[headerSize...]))
    }

    /// Inflates a gzip-compressed IDX file lazily: the header is validated from the first
    /// inflated bytes, and inflation stops as soon as the stream holds more than the header
    /// declares (a gzip bomb costs at most the declared size plus one 64 KiB chunk).
    static func inflate(_ compressed: [UInt8], rank: Int, file: String) throws(DatasetError) -> [UInt8] {
        let headerSize = 4 + 4 * rank
        var declared: (dimensions: [Int], bytes: Int)?
        return try Gzip.decompress(compressed, file: file) { output throws(DatasetError) in
            if declared == nil, output.count >= headerSize {
                // The header's own checks (magic, type, rank, dimensions), on the header alone.
                let header = Array(output.prefix(headerSize))
                do throws(DatasetError) { _ = try decode(header, rank: rank, file: file) } catch {
                    if case .idxDataTruncated(_, let dimensions, let expectedBytes, _) = error, expectedBytes != Int.max
                    {
                        // Half the available memory at most: the bytes are copied once more
                        // when they are decoded.
                        let limit = memoryLimit
                        guard expectedBytes <= limit else {
                            throw .idxTooLarge(
                                file: file, dimensions: dimensions, declaredBytes: expectedBytes, limit: limit)
                        }
                        declared = (dimensions, expectedBytes)
                    } else {
                        throw error
                    }
                }
            }
            if let declared, output.count > declared.bytes {
                throw .idxStreamTooLong(file: file, dimensions: declared.dimensions, declaredBytes: declared.bytes)
            }
        }
    }

    /// Encodes `array` as an uncompressed IDX file of unsigned bytes.
    public static func encode(_ array: IDXArray) -> [UInt8] {
        var data: [UInt8] = [0, 0, 0x08, UInt8(array.dimensions.count)]
        data.reserveCapacity(4 + 4 * array.dimensions.count + array.bytes.count)
        for dimension in array.dimensions {
            let value = UInt32(dimension)
            data += [UInt8(value >> 24), UInt8((value >> 16) & 0xff), UInt8((value >> 8) & 0xff), UInt8(value & 0xff)]
        }
        data += array.bytes
        return data
    }

    /// Reads an IDX file, gzip-compressed or raw. Errors name the file by its last path component.
    public static func read(path: String, rank: Int) throws(DatasetError) -> IDXArray {
        let name = (path as NSString).lastPathComponent
        return try decodeFile(try readBytes(path: path), rank: rank, file: name)
    }

    /// Decodes the bytes of an IDX file as stored: gzip-compressed (inflated lazily:
    /// the header first, then no more than it declares) or raw.
    public static func decodeFile(_ stored: [UInt8], rank: Int, file: String) throws(DatasetError) -> IDXArray {
        let data = Gzip.isGzip(stored) ? try inflate(stored, rank: rank, file: file) : stored
        return try decode(data, rank: rank, file: file)
    }

    /// Writes `array` as an IDX file, gzip-compressed when `compressed` is true.
    public static func write(_ array: IDXArray, to path: String, compressed: Bool) throws(DatasetError) {
        let data = compressed ? Gzip.compress(encode(array)) : encode(array)
        do {
            try Data(data).write(to: URL(fileURLWithPath: path))
        } catch {
            throw .unwritable(file: path, reason: error.localizedDescription)
        }
    }
}

/// The whole content of the file at `path`.
func readBytes(path: String) throws(DatasetError) -> [UInt8] {
    guard FileManager.default.fileExists(atPath: path) else {
        throw .missing(path: path, hint: "no such file")
    }
    guard let data = FileManager.default.contents(atPath: path) else {
        let reason = access(path, R_OK) != 0 ? String(cString: strerror(errno)).lowercased() : "not a regular file"
        throw .unreadable(file: path, reason: reason)
    }
    return [UInt8](data)
}

/// Half of MemAvailable when the process started (or no limit where it is unknown): the most an
/// IDX file may declare.
private let memoryLimit: Int = availableMemory().map { $0 / 2 } ?? Int.max

/// MemAvailable from /proc/meminfo in bytes (Linux); nil elsewhere.
func availableMemory() -> Int? {
    guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
        let fields = line.split(separator: " ")
        if fields.count >= 2, let kB = Int(fields[1]) {
            return kB.multipliedReportingOverflow(by: 1024).overflow ? nil : kB * 1024
        }
    }
    return nil
}
