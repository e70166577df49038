import Datasets
import FuzzDriver

/// The IDX reader as `--data mnist:DIR` uses it: gzip detection, lazy inflation with the
/// header checked from the first inflated bytes, then every field. The first byte picks the
/// rank (images 3, labels 1). Observable effect: the decoded size is folded into a global that
/// is printed at exit, so the optimiser cannot drop the call.
nonisolated(unsafe) var checksum = 0

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size >= 1 else { return 0 }
    let rank = data[0] & 1 == 0 ? 3 : 1
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    do {
        let array = try IDX.decodeFile(bytes, rank: rank, file: "fuzz")
        precondition(array.bytes.count == array.dimensions.reduce(1, *), "decoded size disagrees with the dimensions")
        checksum &+= array.bytes.count &+ array.dimensions.count
    } catch {
        checksum &+= error.description.utf8.count
    }
    return 0
}

// SwiftPM links an executable's `main` as `fuzz_idx_main`; libFuzzer takes over from here.
@_cdecl("fuzz_idx_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv, { fuzz($0, $1) }, checksum: { checksum })
}
