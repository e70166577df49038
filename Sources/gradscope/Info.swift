import ArgumentParser
import Foundation
import TensorCore

/// `gradscope info`: version, matrix-multiply backend and core count.
struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the version, the active matrix-multiply kernel or BLAS, and the core count.",
        discussion: """
            The kernel is chosen at run time from the CPU's features;
            GRADSCOPE_KERNEL=avx512|avx2|portable forces a tier and
            GRADSCOPE_BLAS=off|auto|blas|/path/to/libblas.so selects a system BLAS.

            Exit status: 0, or 64 for bad flags.

            Examples:
              gradscope info
              GRADSCOPE_KERNEL=avx2 gradscope info --format json
            """
    )

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        switch format {
        case .text:
            print("gradscope \(GradScopeVersion.string)")
            print("matrix multiply: \(GEMM.backendDescription)")
            print("cores:           \(cores)")
        case .json:
            let object: [String: Any] = [
                "version": GradScopeVersion.string,
                "gemm": GEMM.backendDescription,
                "cores": cores
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
    }
}

/// `--format` values shared by the subcommands.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
