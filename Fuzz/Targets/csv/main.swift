import Datasets
import FuzzDriver

/// The CSV reader behind the bundled digits (`Digits.parse`): records, fields, numbers, the
/// label column and the image shape. Observable effect: what was parsed is folded into a global.
nonisolated(unsafe) var checksum = 0

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let images = try Digits.parse(csv: bytes, file: "fuzz")
        checksum &+= images.count &+ images.featureCount
    } catch {
        checksum &+= error.description.utf8.count
    }
    return 0
}

// SwiftPM links an executable's `main` as `fuzz_csv_main`; libFuzzer takes over from here.
@_cdecl("fuzz_csv_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv, { fuzz($0, $1) }, checksum: { checksum })
}
