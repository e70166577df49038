import Exec
import FuzzDriver

/// The `gradscope/1` reader: one line through the JSON-line parser, and when it parses, the
/// hello built from it (blocks, point, dtype, examples). Observable effect: what was parsed is
/// folded into a global.
nonisolated(unsafe) var checksum = 0

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let line = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let value = try JSONLineParser.parse(line)
        do {
            let hello = try Hello(value)
            checksum &+= hello.x.count &+ hello.blocks.count
        } catch {
            checksum &+= error.description.utf8.count
        }
    } catch {
        checksum &+= error.offset
    }
    return 0
}

// SwiftPM links an executable's `main` as `fuzz_protocol_main`; libFuzzer takes over from here.
@_cdecl("fuzz_protocol_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv, { fuzz($0, $1) }, checksum: { checksum })
}
