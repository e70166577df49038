/// The last few kilobytes a child wrote to stderr, kept to quote in error messages (a Python
/// traceback's last line says what went wrong).
public struct OutputTail: Sendable {
    public private(set) var bytes = [UInt8]()
    public let capacity: Int

    public init(capacity: Int = 8192) { self.capacity = capacity }

    public mutating func append(_ chunk: UnsafeBufferPointer<UInt8>) {
        if chunk.count >= capacity {
            bytes = Array(chunk.suffix(capacity))
        } else {
            bytes.append(contentsOf: chunk)
            if bytes.count > capacity { bytes.removeFirst(bytes.count - capacity) }
        }
    }

    /// The last `lines` non-empty lines joined with " | ", at most `limit` characters (the end
    /// is kept); empty when nothing was written.
    public func summary(lines: Int = 3, limit: Int = 300) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        let kept = text.split(whereSeparator: { $0 == "\n" || $0 == "\r" })
            .map { $0.trimmingSpaces() }
            .filter { !$0.isEmpty }
            .suffix(lines)
        let joined = kept.joined(separator: " | ")
        return joined.count > limit ? "…" + String(joined.suffix(limit)) : joined
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = lastIndex(where: { !isSpace($0) })!
        return String(self[first...last])
    }
}
