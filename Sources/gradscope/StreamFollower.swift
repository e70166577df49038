import Foundation
import Training

/// Follows a `gradscope-watch/1` stream file while a program writes it: reads what was
/// appended since the last call, feeds each complete line to a ``WatchStream/Reader``, and
/// keeps an incomplete last line for the next call.
///
/// Bounded: a line longer than ``maximumLineBytes`` is refused as malformed (a program that
/// writes without newlines cannot make it buffer without limit), and one call reads at most
/// ``maximumBytesPerPoll``, so that passing the program's output through never waits long.
struct StreamFollower {
    static let maximumLineBytes = 16 << 20
    static let maximumBytesPerPoll = 4 << 20

    let path: String
    private(set) var reader: WatchStream.Reader
    /// The first malformed line (or a stream rewritten under the reader); nothing is read after it.
    private(set) var error: WatchStreamError?
    private var descriptor: Int32 = -1
    /// A regular file is read with `pread` at ``offset`` and checked for truncation; a pipe,
    /// FIFO or terminal (`diagnose /dev/stdin`, `<(…)`) is read in order with `read`.
    private var regularFile = true
    private var offset: off_t = 0
    private var pending = [UInt8]()

    init(path: String) {
        self.path = path
        reader = WatchStream.Reader(file: path)
    }

    /// Whether the program has created the file yet.
    var fileExists: Bool { descriptor >= 0 }

    func close() { if descriptor >= 0 { Foundation.close(descriptor) } }

    /// Reads what was appended; `onEvent` sees each line's kind and the stream so far as it is
    /// read (it must not keep the stream: a copy kept would make the next line copy the history).
    mutating func poll(_ onEvent: (WatchStream.Event, WatchStream) -> Void) {
        guard error == nil else { return }
        if descriptor < 0 {
            descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { return }
            var info = stat()
            regularFile = fstat(descriptor, &info) != 0 || (info.st_mode & S_IFMT) == S_IFREG
        }
        var info = stat()
        if regularFile && fstat(descriptor, &info) == 0 && info.st_size < offset {
            error = .malformed(
                file: path, line: reader.lineNumber + 1,
                reason: "the stream was truncated while it was being read (two watchers writing one file?)")
            return
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var budget = Self.maximumBytesPerPoll
        while budget > 0 {
            let n = chunk.withUnsafeMutableBytes { bytes in
                regularFile
                    ? pread(descriptor, bytes.baseAddress, bytes.count, offset)
                    : read(descriptor, bytes.baseAddress, bytes.count)
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            offset += off_t(n)
            budget -= n
            consume(chunk[0..<n], onEvent)
            if error != nil { return }
        }
    }

    /// Reads a finished file to its end, in bounded pieces, including a last line without its
    /// newline: `diagnose` reads a recorded stream with it, `watch` the rest of a stream once
    /// the program has exited (which may be far more than one poll's worth).
    mutating func finish(_ onEvent: (WatchStream.Event, WatchStream) -> Void = { _, _ in }) {
        while error == nil {
            let before = offset
            poll(onEvent)
            if offset == before { break }
        }
        guard error == nil, !pending.isEmpty else { return }
        let line = pending
        pending = []
        feed(line[...], onEvent)
    }

    private mutating func consume(_ bytes: ArraySlice<UInt8>, _ onEvent: (WatchStream.Event, WatchStream) -> Void) {
        var start = bytes.startIndex
        while let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
            if pending.isEmpty {
                feed(bytes[start..<newline], onEvent)
            } else {
                pending.append(contentsOf: bytes[start..<newline])
                let line = pending
                pending = []
                feed(line[...], onEvent)
            }
            if error != nil { return }
            start = newline + 1
        }
        pending.append(contentsOf: bytes[start...])
        if pending.count > Self.maximumLineBytes {
            error = .malformed(
                file: path, line: reader.lineNumber + 1,
                reason: "a line longer than \(Self.maximumLineBytes >> 20) MiB (no newline)")
            pending = []
        }
    }

    private mutating func feed(_ line: ArraySlice<UInt8>, _ onEvent: (WatchStream.Event, WatchStream) -> Void) {
        do {
            let event = try reader.read(Substring(String(decoding: line, as: UTF8.self)))
            if let stream = reader.stream { onEvent(event, stream) }
        } catch { self.error = error }
    }
}
