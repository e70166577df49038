import Foundation
import TensorCore

/// A training run frozen at the end of an epoch: parameters, optimizer state, progress and
/// history, stored losslessly.
///
/// File layout (all integers little-endian):
///
/// | bytes | content |
/// |---|---|
/// | 0..<8 | the magic `GSCKPT01` |
/// | 8..<16 | H, the length of the JSON header in bytes (UInt64) |
/// | 16..<16+H | the ``CheckpointHeader`` as UTF-8 JSON |
/// | then | the payload: every tensor's elements as raw IEEE 754 `dtype` values, little-endian, in the order of `tensors` |
///
/// Raw binary keeps every bit (a decimal rendering would need care to round-trip), and the
/// header's FNV-1a checksum catches a truncated or damaged payload. Reading validates
/// everything: magic, header length against the file size, JSON, format and version, dtype,
/// each tensor's extent, the payload length and the checksum.
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

    static var magic: [UInt8] { Array("GSCKPT01".utf8) }

    /// The named tensors in payload order: parameters, then optimizer slots by name.
    var namedTensors: [(String, Tensor<Scalar>)] {
        var out = zip(header.blocks, parameters).map { ("parameters/\($0.name)", $1) }
        for slot in optimizerState.slots.keys.sorted() {
            out += zip(header.blocks, optimizerState.slots[slot]!).map { ("optimizer/\(slot)/\($0.name)", $1) }
        }
        return out
    }

    /// Writes the checkpoint atomically (a temporary file renamed over `path`), so that an
    /// interrupted write leaves the previous checkpoint intact.
    public func write(to path: String) throws(TrainingError) {
        precondition(header.dtype == Scalar.dtypeName, "checkpoint header says \(header.dtype), tensors are \(Scalar.dtypeName)")
        var header = self.header
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
        var file = Data(Self.magic)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(json)
        file.append(contentsOf: payload)
        do { try file.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw .cannotWrite(path: path, reason: error.localizedDescription)
        }
    }

    /// Reads and validates a checkpoint written with this element type.
    public static func read(from path: String) throws(TrainingError) -> Checkpoint {
        let (header, payload) = try CheckpointFile.read(path)
        func bad(_ reason: String) -> TrainingError { .badCheckpoint(path: path, reason: reason) }
        guard header.dtype == Scalar.dtypeName else {
            throw bad("it stores \(header.dtype) values; this run uses \(Scalar.dtypeName) (pass --dtype \(header.dtype))")
        }
        let width = MemoryLayout<Scalar>.size
        guard payload.count == header.payloadElements * width else {
            throw bad("the payload has \(payload.count) bytes, the header announces \(header.payloadElements) \(header.dtype) values (\(header.payloadElements * width) bytes)")
        }
        guard checksum(payload) == header.payloadChecksum else {
            throw bad("the payload checksum is \(checksum(payload)), the header says \(header.payloadChecksum): the file is damaged")
        }
        var tensors = [String: Tensor<Scalar>]()
        for entry in header.tensors {
            let count = entry.shape.reduce(1, *)
            guard entry.shape.allSatisfy({ $0 >= 0 }), entry.offset >= 0, entry.offset + count <= header.payloadElements else {
                throw bad("tensor \(entry.name) of shape \(entry.shape) at element \(entry.offset) lies outside the payload of \(header.payloadElements) values")
            }
            tensors[entry.name] = Tensor(shape: entry.shape, scalars: readLittleEndian(payload, from: entry.offset * width, count: count))
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
        var checkpoint = Checkpoint(header: header, parameters: parameters,
                                    optimizerState: OptimizerState(step: header.optimizerStep, slots: slots))
        checkpoint.path = path
        return checkpoint
    }

    /// FNV-1a, 64-bit (Fowler, Noll & Vo), as 16 lowercase hex digits.
    static func checksum(_ bytes: [UInt8]) -> String {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        bytes.withUnsafeBufferPointer { b in
            for byte in b { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    static func readLittleEndian(_ payload: [UInt8], from start: Int, count: Int) -> [Scalar] {
        var out = [Scalar](repeating: 0, count: count)
        out.withUnsafeMutableBytes { dst in
            payload.withUnsafeBytes { src in
                dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[start..<(start + count * MemoryLayout<Scalar>.size)]))
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
        func bad(_ reason: String) -> TrainingError { .badCheckpoint(path: path, reason: reason) }
        guard let data = FileManager.default.contents(atPath: path) else { throw bad("cannot read the file (missing or unreadable)") }
        let bytes = [UInt8](data)
        guard bytes.count >= 16 else { throw bad("the file has \(bytes.count) bytes, fewer than the 16-byte preamble") }
        guard Array(bytes[0..<8]) == Array("GSCKPT01".utf8) else {
            throw bad("bytes 0..<8 are not the magic GSCKPT01: not a GradScope checkpoint")
        }
        var length: UInt64 = 0
        for i in 0..<8 { length |= UInt64(bytes[8 + i]) << (8 * UInt64(i)) }
        guard length <= UInt64(bytes.count - 16), length < UInt64(headerLimit) else {
            throw bad("the header length at offset 8 is \(length) bytes, but only \(bytes.count - 16) bytes follow")
        }
        let end = 16 + Int(length)
        let header: CheckpointHeader
        do { header = try CheckpointJSON.decoder.decode(CheckpointHeader.self, from: Data(bytes[16..<end])) } catch {
            throw bad("the JSON header at offset 16 does not decode: \(error)")
        }
        guard header.format == CheckpointHeader.formatName else { throw bad("format is \(header.format), expected \(CheckpointHeader.formatName)") }
        guard header.version == CheckpointHeader.currentVersion else {
            throw bad("format version \(header.version) is not supported (this build reads version \(CheckpointHeader.currentVersion))")
        }
        return (header, Array(bytes[end...]))
    }
}

/// JSON settings shared by checkpoints and metrics files: sorted keys, and NaN/±∞ written as
/// the strings "nan", "inf", "-inf" (JSON has no literal for them).
public enum CheckpointJSON {
    public static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }

    public static var decoder: JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }
}
