#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The part every fuzz target shares: handing the process over to libFuzzer and, at exit
/// (libFuzzer ends the process with `exit` when its runs are done), printing what the target
/// folded into its checksum: an observable effect, so that the optimiser cannot drop the
/// code under test.
///
/// SwiftPM links an executable's `main` as `fuzz_<target>_main`; each target defines that
/// symbol with `@_cdecl` and calls ``runFuzzer(_:_:_:checksum:)`` from it.
@_silgen_name("LLVMFuzzerRunDriver")
func llvmFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32
) -> Int32

/// Runs libFuzzer with the process's arguments on `testOneInput`, then prints `checksum`.
public func runFuzzer(
    _ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ testOneInput: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32, checksum: @escaping () -> Int
) -> Int32 {
    report = checksum
    atexit { if let report { print("checksum \(report())") } }
    var count = argc
    var arguments = argv
    return llvmFuzzerRunDriver(&count, &arguments, testOneInput)
}

/// The target's checksum, for the exit handler (a C function pointer cannot capture it).
nonisolated(unsafe) private var report: (() -> Int)?
