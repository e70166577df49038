import FuzzDriver
import Training

/// The checkpoint reader as `--resume` uses it. The input is a candidate file without its
/// trailing checksum: the target appends the right one (FNV-1a of the bytes) when the input
/// starts with the version-2 magic, so that libFuzzer explores the header validation behind
/// the checksum instead of stopping at it. Inputs are read as float32 and float64 checkpoints.
/// Observable effect: what was decoded is folded into a global.
nonisolated(unsafe) var checksum = 0

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    var bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if bytes.starts(with: Array("GSCKPT02".utf8)) {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        withUnsafeBytes(of: h.littleEndian) { bytes.append(contentsOf: $0) }
    }
    do {
        let c = try Checkpoint<Float>.decode(bytes, path: "fuzz")
        checksum &+= c.parameters.reduce(0) { $0 &+ $1.count } &+ c.header.step
    } catch {
        checksum &+= error.description.utf8.count
    }
    do {
        let c = try Checkpoint<Double>.decode(bytes, path: "fuzz")
        checksum &+= c.parameters.reduce(0) { $0 &+ $1.count } &+ c.header.epochsCompleted
    } catch {
        checksum &+= error.description.utf8.count
    }
    return 0
}

// SwiftPM links an executable's `main` as `fuzz_checkpoint_main`; libFuzzer takes over from here.
@_cdecl("fuzz_checkpoint_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv, { fuzz($0, $1) }, checksum: { checksum })
}
