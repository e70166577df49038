import CZlib

/// gzip (RFC 1952) through the system zlib.
///
/// Decompression uses `inflateInit2` with `windowBits` 15 + 32 (largest window, gzip or zlib header
/// detected automatically). Concatenated gzip members are decompressed one after the other, as
/// `gunzip` does; any other bytes after the last member are an error.
public enum Gzip {
    /// True when `bytes` starts with the gzip magic number 1f 8b.
    public static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
    }

    /// Decompresses a complete gzip file.
    /// - Parameter file: the name used in error messages.
    /// - Throws: ``DatasetError/gzipCorrupt(file:offset:reason:)`` with zlib's message, or
    ///   ``DatasetError/gzipTruncated(file:offset:)`` when the input stops before the end of the stream.
    public static func decompress(_ compressed: [UInt8], file: String) throws(DatasetError) -> [UInt8] {
        try decompress(compressed, file: file) { _ throws(DatasetError) in }
    }

    /// Decompresses lazily: after every inflated chunk (at most 64 KiB) `inspect` sees the
    /// output so far and may throw to stop, so a caller that knows from the first bytes how long
    /// the data must be (an IDX header) stops a longer stream, a gzip bomb, at once.
    public static func decompress(
        _ compressed: [UInt8], file: String,
        inspect: ([UInt8]) throws(DatasetError) -> Void
    ) throws(DatasetError) -> [UInt8] {
        var stream = z_stream()
        let initStatus = czlib_inflateInit2(&stream, 15 + 32)
        guard initStatus == Z_OK else {
            throw .gzipCorrupt(file: file, offset: 0, reason: "inflateInit2 failed with zlib status \(initStatus)")
        }
        defer { inflateEnd(&stream) }

        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        let outcome: Result<Void, DatasetError> = compressed.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = UInt32(input.count)
            while true {
                let status = chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = UInt32(out.count)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk.count - Int(stream.avail_out)
                if produced > 0 {
                    output.append(contentsOf: chunk[0..<produced])
                    do throws(DatasetError) { try inspect(output) } catch { return .failure(error) }
                }
                let consumed = input.count - Int(stream.avail_in)
                switch status {
                case Z_OK:
                    continue
                case Z_STREAM_END:
                    if stream.avail_in == 0 { return .success(()) }
                    if stream.avail_in >= 2, input[consumed] == 0x1f, input[consumed + 1] == 0x8b {
                        inflateReset(&stream)
                        continue
                    }
                    return .failure(
                        .gzipCorrupt(
                            file: file, offset: consumed,
                            reason: "\(stream.avail_in) bytes after the end of the gzip stream"))
                case Z_BUF_ERROR:
                    return .failure(.gzipTruncated(file: file, offset: consumed))
                default:
                    let reason = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                    return .failure(.gzipCorrupt(file: file, offset: consumed, reason: reason))
                }
            }
        }
        try outcome.get()
        return output
    }

    /// Compresses `bytes` into one gzip member (zlib `deflateInit2`, `windowBits` 15 + 16, no file
    /// name, modification time 0), so equal input gives equal output.
    public static func compress(_ bytes: [UInt8], level: Int32 = Z_DEFAULT_COMPRESSION) -> [UInt8] {
        var stream = z_stream()
        let initStatus = czlib_deflateInit2(&stream, level, 15 + 16)
        precondition(initStatus == Z_OK, "deflateInit2 failed with zlib status \(initStatus)")
        defer { deflateEnd(&stream) }

        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 32)
        let status: Int32 = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = UInt32(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(out.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        precondition(status == Z_STREAM_END, "deflate did not finish (zlib status \(status))")
        output.removeLast(Int(stream.avail_out))
        return output
    }
}
