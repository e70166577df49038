#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the GEMM-related environment variables of this process once.
enum GEMMEnvironment {
    static let keys = ["GRADSCOPE_KERNEL", "GRADSCOPE_BLAS", "GRADSCOPE_THREADS"]

    /// The process environment restricted to the variables GEMM reads.
    static let current: [String: String] = {
        var result: [String: String] = [:]
        for key in keys {
            if let value = getenv(key) { result[key] = String(cString: value) }
        }
        return result
    }()

    /// Number of online processors (at least 1).
    static let processorCount: Int = {
        let n = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        return n > 0 ? n : 1
    }()
}
