/// A problem with a data file or a data-source argument, reported as one line that names the file,
/// the field and the byte offset (or the CSV line and column).
///
/// Byte offsets in IDX errors count from the start of the *decompressed* IDX stream; offsets in
/// ``gzipCorrupt(file:offset:reason:)`` count from the start of the compressed file.
public enum DatasetError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file could not be opened or read.
    case unreadable(file: String, reason: String)
    /// The file could not be written.
    case unwritable(file: String, reason: String)
    /// A file or folder that a data source needs is absent; `hint` says how to get it.
    case missing(path: String, hint: String)
    /// `--data` could not be parsed.
    case unknownSource(argument: String)

    /// zlib rejected the gzip stream at `offset` (bytes consumed so far) with `reason`.
    case gzipCorrupt(file: String, offset: Int, reason: String)
    /// The gzip stream stops before its end-of-stream marker.
    case gzipTruncated(file: String, offset: Int)

    /// The first two bytes of an IDX file are not zero.
    case idxMagic(file: String, offset: Int, found: [UInt8])
    /// Byte 2 of an IDX file is not 0x08 (unsigned byte), the only element type supported.
    case idxTypeCode(file: String, offset: Int, found: UInt8)
    /// Byte 3 of an IDX file (the number of dimensions) is not what the file's role needs.
    case idxRank(file: String, offset: Int, found: Int, expected: Int)
    /// A dimension is zero or larger than 2³¹ − 1.
    case idxDimension(file: String, index: Int, offset: Int, value: UInt32)
    /// The file ends inside its header.
    case idxHeaderTruncated(file: String, field: String, offset: Int)
    /// The dimensions announce more data than the file holds.
    case idxDataTruncated(file: String, dimensions: [Int], expectedBytes: Int, actualBytes: Int)
    /// Bytes follow the last element announced by the dimensions.
    case idxTrailingBytes(file: String, dimensions: [Int], offset: Int, count: Int)
    /// A compressed IDX file inflates to more than its header declares (inflation stopped there).
    case idxStreamTooLong(file: String, dimensions: [Int], declaredBytes: Int)
    /// A compressed IDX file's header declares more bytes than memory can hold.
    case idxTooLarge(file: String, dimensions: [Int], declaredBytes: Int, limit: Int)
    /// A label is not in `0..<classes`.
    case labelOutOfRange(file: String, label: Int, offset: Int, classes: Int)
    /// The images file and the labels file disagree on the number of items.
    case countMismatch(imagesFile: String, images: Int, labelsFile: String, labels: Int)
    /// The training and test images have different shapes.
    case shapeMismatch(trainFile: String, trainShape: [Int], testFile: String, testShape: [Int])

    /// A CSV field is malformed; `line` and `column` count from 1.
    case csv(file: String, line: Int, column: Int, reason: String)

    /// The data sources ``DataSource/init(parsing:)`` knows, for messages.
    public static let knownSources = "digits, fashion-mnist, mnist:DIR or idx:DIR"

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            return "\(file): cannot read file: \(reason)"
        case .unwritable(let file, let reason):
            return "\(file): cannot write file: \(reason)"
        case .missing(let path, let hint):
            return "\(path): not found; \(hint)"
        case .unknownSource(let argument):
            return "'\(argument)': unknown data source; expected \(DatasetError.knownSources)"
        case .gzipCorrupt(let file, let offset, let reason):
            return "\(file): corrupt gzip data at compressed byte offset \(offset): \(reason)"
        case .gzipTruncated(let file, let offset):
            return "\(file): gzip stream ends early at compressed byte offset \(offset) (truncated file)"
        case .idxMagic(let file, let offset, let found):
            return "\(file): magic bytes \(hex(found)) at byte offset \(offset) are not 00 00 (not an IDX file)"
        case .idxTypeCode(let file, let offset, let found):
            return "\(file): type code \(hex([found])) at byte offset \(offset) is not 08 (unsigned byte)"
        case .idxRank(let file, let offset, let found, let expected):
            return "\(file): rank \(found) at byte offset \(offset) is not \(expected)"
        case .idxDimension(let file, let index, let offset, let value):
            return "\(file): dimension \(index) = \(value) at byte offset \(offset) is not in 1...\(Int32.max)"
        case .idxHeaderTruncated(let file, let field, let offset):
            return "\(file): file ends at byte offset \(offset) inside the header field '\(field)'"
        case .idxDataTruncated(let file, let dimensions, let expectedBytes, let actualBytes):
            return
                "\(file): dimensions \(shape(dimensions)) need \(expectedBytes) bytes but the file ends at byte offset \(actualBytes) (truncated)"
        case .idxTrailingBytes(let file, let dimensions, let offset, let count):
            return "\(file): \(count) trailing bytes at byte offset \(offset) after the \(shape(dimensions)) data"
        case .idxStreamTooLong(let file, let dimensions, let declaredBytes):
            return
                "\(file): the gzip stream holds more than the \(declaredBytes) bytes its \(shape(dimensions)) header declares (inflation stopped at byte offset \(declaredBytes))"
        case .idxTooLarge(let file, let dimensions, let declaredBytes, let limit):
            return
                "\(file): the \(shape(dimensions)) header declares \(declaredBytes) bytes, more than the \(limit) this machine can hold (half its available memory)"
        case .labelOutOfRange(let file, let label, let offset, let classes):
            return "\(file): label \(label) at byte offset \(offset) is out of range 0..<\(classes)"
        case .countMismatch(let imagesFile, let images, let labelsFile, let labels):
            return
                "\(labelsFile): \(labels) labels (dimension 0 at byte offset 4) but \(imagesFile) has \(images) images"
        case .shapeMismatch(let trainFile, let trainShape, let testFile, let testShape):
            return
                "\(testFile): images of \(shape(testShape)) (dimensions at byte offset 8) but \(trainFile) has \(shape(trainShape))"
        case .csv(let file, let line, let column, let reason):
            return "\(file): line \(line), column \(column): \(reason)"
        }
    }
}

private func hex(_ bytes: [UInt8]) -> String {
    bytes.map { byte in
        let digits = String(byte, radix: 16, uppercase: true)
        return digits.count == 1 ? "0" + digits : digits
    }.joined(separator: " ")
}

private func shape(_ dimensions: [Int]) -> String {
    dimensions.map(String.init).joined(separator: "×")
}
