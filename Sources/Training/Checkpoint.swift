import Foundation
import NeuralNet
import TensorCore

/// A training run frozen at the end of an epoch: parameters, optimizer state, progress and
/// history, stored losslessly.
///
/// File layout (all integers little-endian):
///
/// | bytes | content |
/// |---|---|
/// | 0..<8 | the magic `GSCKPT02` |
/// | 8..<16 | H, the length of the JSON header in bytes (UInt64) |
/// | 16..<16+H | the ``CheckpointHeader`` as UTF-8 JSON |
/// | then | the payload: every tensor's elements as raw IEEE 754 `dtype` values, little-endian, in the order of `tensors` |
/// | last 8 | FNV-1a (64-bit) of every byte before it: magic, length, header and payload |
///
/// Raw binary keeps every bit (a decimal rendering would need care to round-trip). The
/// trailing checksum covers the header too, so an edited or damaged header is caught before
/// it is decoded; the header's own payload checksum is kept. Reading validates everything
/// before allocating anything beyond the file itself: magic, checksum, header length against
/// the file size, JSON, format and version, dtype, every count and step (non-negative), each
/// tensor's extent (overflow-checked, inside the payload), the blocks, and the history against
/// the layers; each failure names the field.
/// Version 1 files (magic `GSCKPT01`, no trailer, the checksum over the payload only) are
/// still read.
public struct Checkpoint<Scalar: TensorScalar>: Sendable, Equatable {
    public var header: CheckpointHeader
    /// One tensor per parameter block.
    public var parameters: [Tensor<Scalar>]
    public var optimizerState: OptimizerState<Scalar>
    /// The file it was read from, for messages.
    public var path: String?

    public init(header: CheckpointHeader, parameters: [Tensor<Scalar>], optimizerState: OptimizerState<Scalar>) {
        self.header = header; self.parameters = parameters; self.optimizerState = optimizerState
    }

    static var magic: [UInt8] { Array("GSCKPT02".utf8) }

    /// The named tensors in payload order: parameters, then optimizer slots by name.
    var namedTensors: [(String, Tensor<Scalar>)] {
        var out = zip(header.blocks, parameters).map { ("parameters/\($0.name)", $1) }
        for slot in optimizerState.slots.keys.sorted() {
            out += zip(header.blocks, optimizerState.slots[slot]!).map { ("optimizer/\(slot)/\($0.name)", $1) }
        }
        return out
    }

    /// Writes the checkpoint atomically (``AtomicFile``: a temporary file flushed and renamed
    /// over `path`), so that an interrupted write leaves the previous checkpoint intact.
    public func write(to path: String) throws(TrainingError) {
        precondition(
            header.dtype == Scalar.dtypeName, "checkpoint header says \(header.dtype), tensors are \(Scalar.dtypeName)")
        var header = self.header
        header.version = CheckpointHeader.currentVersion
        header.optimizerStep = optimizerState.step
        header.tensors = []
        var payload = [UInt8]()
        payload.reserveCapacity(namedTensors.reduce(0) { $0 + $1.1.count } * MemoryLayout<Scalar>.size)
        var offset = 0
        for (name, tensor) in namedTensors {
            header.tensors.append(.init(name: name, shape: tensor.shape, offset: offset))
            offset += tensor.count
            tensor.withUnsafeBufferPointer { appendLittleEndian($0, to: &payload) }
        }
        header.payloadElements = offset
        header.payloadChecksum = Self.checksum(payload)
        let json: Data
        do { json = try CheckpointJSON.encoder.encode(header) } catch {
            throw .cannotWrite(path: path, reason: "cannot encode the header: \(error)")
        }
        var file = Self.magic
        file.reserveCapacity(16 + json.count + payload.count + 8)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(contentsOf: json)
        file.append(contentsOf: payload)
        payload = []
        let trailer = CheckpointFile.fnv1a(file[...])
        withUnsafeBytes(of: trailer.littleEndian) { file.append(contentsOf: $0) }
        do { try AtomicFile.write(file, to: path) } catch {
            throw .cannotWrite(path: path, reason: error.description)
        }
    }

    /// Reads and validates a checkpoint written with this element type.
    public static func read(from path: String) throws(TrainingError) -> Checkpoint {
        try decode(CheckpointFile.contents(path), path: path)
    }

    /// Validates and decodes the bytes of a checkpoint file; `path` names it in errors.
    public static func decode(_ bytes: [UInt8], path: String) throws(TrainingError) -> Checkpoint {
        let (header, payload) = try CheckpointFile.parse(bytes, path: path)
        func bad(_ reason: String) -> TrainingError { .badCheckpoint(path: path, reason: reason) }
        guard header.dtype == Scalar.dtypeName else {
            throw bad(
                "it stores \(header.dtype) values; this run uses \(Scalar.dtypeName) (read it as \(header.dtype))")
        }
        let width = MemoryLayout<Scalar>.size
        // CheckpointFile.read validated every count, offset and extent (overflow-checked).
        guard checksum(payload) == header.payloadChecksum else {
            throw bad(
                "field payloadChecksum: the payload's checksum is \(checksum(payload)), the header says \(header.payloadChecksum): the file is damaged"
            )
        }
        var tensors = [String: Tensor<Scalar>]()
        for entry in header.tensors {
            let count = CheckedSize.product(entry.shape)!
            tensors[entry.name] = Tensor(
                shape: entry.shape, scalars: readLittleEndian(payload, from: entry.offset * width, count: count))
        }
        var parameters = [Tensor<Scalar>]()
        for block in header.blocks {
            guard let t = tensors["parameters/\(block.name)"], t.shape == block.shape else {
                throw bad("parameter block \(block.name) of shape \(block.shape) is missing or has another shape")
            }
            parameters.append(t)
        }
        var slots = [String: [Tensor<Scalar>]]()
        for entry in header.tensors where entry.name.hasPrefix("optimizer/") {
            let slot = String(entry.name.dropFirst("optimizer/".count).prefix { $0 != "/" })
            guard slots[slot] == nil else { continue }
            var list = [Tensor<Scalar>]()
            for block in header.blocks {
                guard let t = tensors["optimizer/\(slot)/\(block.name)"], t.shape == block.shape else {
                    throw bad("optimizer state \(slot) for \(block.name) is missing or has another shape")
                }
                list.append(t)
            }
            slots[slot] = list
        }
        var checkpoint = Checkpoint(
            header: header, parameters: parameters,
            optimizerState: OptimizerState(step: header.optimizerStep, slots: slots))
        checkpoint.path = path
        return checkpoint
    }

    /// FNV-1a, 64-bit (Fowler, Noll & Vo), as 16 lowercase hex digits.
    static func checksum(_ bytes: [UInt8]) -> String {
        CheckpointFile.hex(CheckpointFile.fnv1a(bytes[...]))
    }

    static func readLittleEndian(_ payload: [UInt8], from start: Int, count: Int) -> [Scalar] {
        var out = [Scalar](repeating: 0, count: count)
        out.withUnsafeMutableBytes { dst in
            payload.withUnsafeBytes { src in
                dst.copyMemory(
                    from: UnsafeRawBufferPointer(rebasing: src[start..<(start + count * MemoryLayout<Scalar>.size)]))
            }
        }
        #if _endian(big)
        fatalError("checkpoints are little-endian; big-endian hosts are not supported")
        #endif
        return out
    }
}

func appendLittleEndian<S: TensorScalar>(_ values: UnsafeBufferPointer<S>, to bytes: inout [UInt8]) {
    #if _endian(big)
    fatalError("checkpoints are little-endian; big-endian hosts are not supported")
    #endif
    bytes.append(contentsOf: UnsafeRawBufferPointer(values))
}

/// Reading the container, independent of the element type (the CLI peeks at the header to
/// learn the dtype and the run's settings).
public enum CheckpointFile {
    static let headerLimit = 1 << 30

    /// The header alone, validated.
    public static func readHeader(_ path: String) throws(TrainingError) -> CheckpointHeader {
        try read(path).header
    }

    static func read(_ path: String) throws(TrainingError) -> (header: CheckpointHeader, payload: [UInt8]) {
        try parse(contents(path), path: path)
    }

    static func parse(
        _ bytes: [UInt8], path: String
    ) throws(TrainingError) -> (header: CheckpointHeader, payload: [UInt8]) {
        func bad(_ reason: String) -> TrainingError { .badCheckpoint(path: path, reason: reason) }
        guard bytes.count >= 16 else { throw bad("the file has \(bytes.count) bytes, fewer than the 16-byte preamble") }
        let magic = Array(bytes[0..<8])
        let version: Int
        switch magic {
        case Array("GSCKPT01".utf8): version = 1
        case Array("GSCKPT02".utf8): version = 2
        default: throw bad("bytes 0..<8 are not the magic GSCKPT02 (or GSCKPT01): not a GradScope checkpoint")
        }
        let end = version >= 2 ? bytes.count - 8 : bytes.count
        guard end >= 16 else {
            throw bad("the file has \(bytes.count) bytes, fewer than the preamble and the 8-byte checksum")
        }
        var length: UInt64 = 0
        for i in 0..<8 { length |= UInt64(bytes[8 + i]) << (8 * UInt64(i)) }
        guard length <= UInt64(end - 16), length < UInt64(headerLimit) else {
            throw bad("field header length (offset 8) is \(length) bytes, but only \(end - 16) bytes follow")
        }
        if version >= 2 {
            var stored: UInt64 = 0
            for i in 0..<8 { stored |= UInt64(bytes[end + i]) << (8 * UInt64(i)) }
            let actual = fnv1a(bytes[0..<end])
            guard stored == actual else {
                throw bad(
                    "field checksum (the last 8 bytes, offset \(end)): the bytes before it hash to \(hex(actual)), the file says \(hex(stored)): the file is damaged, truncated or was edited (header or payload)"
                )
            }
        }
        let headerEnd = 16 + Int(length)
        let header: CheckpointHeader
        do {
            header = try CheckpointJSON.decoder.decode(CheckpointHeader.self, from: Data(bytes[16..<headerEnd]))
        } catch {
            throw bad("the JSON header at offset 16 does not decode: \(error)")
        }
        guard header.format == CheckpointHeader.formatName else {
            throw bad("field format is \(header.format), expected \(CheckpointHeader.formatName)")
        }
        guard header.version == version else {
            throw bad(
                "field version is \(header.version), but the magic says version \(version) (this build reads versions 1 and \(CheckpointHeader.currentVersion))"
            )
        }
        do { try validate(header, payloadBytes: end - headerEnd) } catch {
            throw bad(error.message)
        }
        return (header, Array(bytes[headerEnd..<end]))
    }

    /// The file's bytes, or an error that says why not (missing, permission denied, a directory).
    static func contents(_ path: String) throws(TrainingError) -> [UInt8] {
        func bad(_ reason: String) -> TrainingError { .badCheckpoint(path: path, reason: reason) }
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            throw bad(
                "cannot read the file: "
                    + (code == ENOENT ? "no such file" : String(cString: strerror(code)).lowercased()))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw bad("cannot read the file: not a regular file") }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw bad("cannot read the file: " + String(cString: strerror(errno)).lowercased()) }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var done = 0
        var failure: Int32 = 0
        bytes.withUnsafeMutableBytes { raw in
            while done < raw.count {
                let n = Foundation.read(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 { if errno == EINTR { continue }; failure = errno; return }
                if n == 0 { return }
                done += n
            }
        }
        if failure != 0 { throw bad("cannot read the file: " + String(cString: strerror(failure)).lowercased()) }
        return Array(bytes[0..<done])
    }

    /// A header field that fails validation: its message names the field.
    struct FieldError: Error { var message: String }

    /// Checks every field of `header` against itself and a payload of `payloadBytes` bytes,
    /// with overflow-checked arithmetic, so that nothing the header says can trap or make the
    /// reader allocate more than the file holds.
    static func validate(_ header: CheckpointHeader, payloadBytes: Int) throws(FieldError) {
        func bad(_ message: String) -> FieldError { FieldError(message: message) }
        let width: Int
        switch header.dtype {
        case "float32": width = 4
        case "float64": width = 8
        default: throw bad("field dtype is \(header.dtype), expected float32 or float64")
        }
        for (name, value) in [
            ("epochsCompleted", header.epochsCompleted), ("step", header.step),
            ("optimizerStep", header.optimizerStep), ("payloadElements", header.payloadElements)
        ] where value < 0 {
            throw bad("field \(name) is \(value), must be 0 or more")
        }
        guard let bytes = CheckedSize.product(header.payloadElements, width), bytes == payloadBytes else {
            throw bad(
                "field payloadElements is \(header.payloadElements) \(header.dtype) values, but the payload has \(payloadBytes) bytes"
            )
        }
        do { try header.configuration.validate() } catch {
            throw bad("field configuration: \(error.description)")
        }
        var blockNames = Set<String>()
        for (i, block) in header.blocks.enumerated() {
            guard blockNames.insert(block.name).inserted else {
                throw bad("field blocks[\(i)]: the name \(block.name) appears twice")
            }
            guard !block.shape.isEmpty, block.shape.allSatisfy({ $0 >= 0 }),
                let count = CheckedSize.product(block.shape),
                count <= header.payloadElements
            else {
                throw bad(
                    "field blocks[\(i)] (\(block.name)): shape \(block.shape) is not a shape of at most \(header.payloadElements) values"
                )
            }
        }
        var tensorNames = Set<String>()
        for (i, entry) in header.tensors.enumerated() {
            guard tensorNames.insert(entry.name).inserted else {
                throw bad("field tensors[\(i)]: the name \(entry.name) appears twice")
            }
            guard entry.shape.allSatisfy({ $0 >= 0 }), let count = CheckedSize.product(entry.shape) else {
                throw bad(
                    "field tensors[\(i)] (\(entry.name)): shape \(entry.shape) has a negative or overflowing size")
            }
            guard entry.offset >= 0, let end = CheckedSize.sum(entry.offset, count), end <= header.payloadElements
            else {
                throw bad(
                    "field tensors[\(i)] (\(entry.name)): shape \(entry.shape) at offset \(entry.offset) lies outside the payload of \(header.payloadElements) values"
                )
            }
        }
        let history = header.history
        guard history.epochs.count == header.epochsCompleted else {
            throw bad(
                "field history.epochs has \(history.epochs.count) records, but epochsCompleted is \(header.epochsCompleted)"
            )
        }
        guard history.batchLosses.count == header.step else {
            throw bad("field history.batchLosses has \(history.batchLosses.count) losses, but step is \(header.step)")
        }
        for (l, layer) in history.layers.enumerated() {
            guard layer.weightBlock >= 0, layer.weightBlock < header.blocks.count, layer.layerIndex >= 0,
                layer.activationLayerIndex >= 0,
                layer.weightCount >= 0
            else {
                throw bad(
                    "field history.layers[\(l)] (\(layer.name)): block \(layer.weightBlock) or layer \(layer.layerIndex) is not one of the checkpoint's \(header.blocks.count) blocks"
                )
            }
        }
        for (k, sample) in history.samples.enumerated() {
            guard sample.layers.count == history.layers.count, sample.step >= 0, sample.epoch >= 0 else {
                throw bad(
                    "field history.samples[\(k)] has \(sample.layers.count) layers at step \(sample.step), but history.layers has \(history.layers.count)"
                )
            }
        }
        if let progress = header.epochProgress {
            guard progress.batches >= 0, progress.seen >= 0, progress.correct >= 0, progress.correct <= progress.seen,
                progress.batches <= header.step
            else {
                throw bad(
                    "field epochProgress (\(progress.batches) batches, \(progress.correct) of \(progress.seen) correct) is not consistent with step \(header.step)"
                )
            }
        }
    }

    /// FNV-1a, 64-bit (Fowler, Noll & Vo).
    static func fnv1a(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        bytes.withUnsafeBufferPointer { b in
            for byte in b { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        }
        return h
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// JSON settings shared by checkpoints and metrics files: sorted keys, and NaN/±∞ written as
/// the strings "nan", "inf", "-inf" (JSON has no literal for them).
public enum CheckpointJSON {
    public static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }

    public static var decoder: JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }
}
