import CGemmKernels
#if canImport(Accelerate)
import Accelerate
#endif

/// What `GRADSCOPE_BLAS` asks for.
///
/// The default is `off`: the built-in kernels run level with OpenBLAS on the
/// machines we measured (see BENCHMARKS.md), need no system library, and give
/// the same bits on every machine with the same kernel tier, independent of
/// the thread count. A system BLAS may pick different kernels (and so round
/// differently) per CPU and per library version.
public enum BLASRequest: Sendable, Equatable {
    /// Never use a system BLAS (default).
    case off
    /// Use a system BLAS when one can be loaded, else the built-in kernels.
    case auto
    /// Require a system BLAS; when none loads, fall back with a note.
    case required
    /// Load this library (file name or path); fall back with a note.
    case path(String)

    public static let environmentKey = "GRADSCOPE_BLAS"

    /// Parses `GRADSCOPE_BLAS=off|auto|blas|/path/to/lib.so` (pure).
    public static func parse(environment: [String: String]) -> BLASRequest {
        let raw = environment[environmentKey]?.trimmingWhitespace() ?? ""
        switch raw.lowercased() {
        case "", "off", "0", "no", "none", "builtin", "built-in": return .off
        case "auto": return .auto
        case "blas", "on", "1", "yes", "required": return .required
        default: return .path(raw)
        }
    }

    /// Libraries tried for `auto` and `required`, in order.
    public static var defaultCandidates: [String] {
        #if canImport(Accelerate)
        return ["Accelerate"]
        #else
        return ["libopenblas.so.0", "libblas.so.3"]
        #endif
    }
}

/// A CBLAS library loaded at run time (`dlopen`), or Apple's Accelerate.
///
/// Calls `cblas_sgemm` / `cblas_dgemm` with `CblasRowMajor`. Instances are
/// immutable after loading and safe to share between threads.
public final class BLASLibrary: Sendable {
    enum Storage: @unchecked Sendable {
        // The handle is written once in `load` and only read afterwards.
        case dl(OpaquePointer)
        case accelerate
    }

    let storage: Storage
    /// Resolved path of the library (or "Accelerate").
    public let path: String
    /// OpenBLAS core name (e.g. "Haswell", "SkylakeX") when available.
    public let coreName: String?

    private init(storage: Storage, path: String, coreName: String?) {
        self.storage = storage
        self.path = path
        self.coreName = coreName
    }

    /// Loads `name` (a file name searched by the dynamic loader, or a path).
    /// Throws ``BLASLoadError`` when it cannot be opened or lacks CBLAS GEMM.
    public static func load(_ name: String) throws(BLASLoadError) -> BLASLibrary {
        #if canImport(Accelerate)
        if name == "Accelerate" {
            return BLASLibrary(storage: .accelerate, path: "Accelerate", coreName: nil)
        }
        #endif
        var message = [CChar](repeating: 0, count: 512)
        guard let handle = cgemm_blas_open(name, &message, Int32(message.count)) else {
            let text = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw BLASLoadError(library: name, message: text)
        }
        let path = String(cString: cgemm_blas_path(handle))
        let core = cgemm_blas_corename(handle).map { String(cString: $0) }
        return BLASLibrary(storage: .dl(handle), path: path, coreName: core)
    }

    /// Loads the first library of `candidates` that works; nil if none does.
    public static func loadFirst(_ candidates: [String]) -> (library: BLASLibrary?, errors: [BLASLoadError]) {
        var errors: [BLASLoadError] = []
        for name in candidates {
            do { return (try load(name), errors) } catch { errors.append(error) }
        }
        return (nil, errors)
    }

    /// Sets the library's own thread count (OpenBLAS only). Process-global.
    @discardableResult
    public func setThreadCount(_ n: Int) -> Bool {
        if case .dl(let h) = storage { return cgemm_blas_set_threads(h, Int32(clamping: n)) != 0 }
        return false
    }

    public var description: String {
        var s = "blas \(path)"
        if let coreName { s += " (OpenBLAS core \(coreName))" }
        return s
    }

    /// Whether all sizes fit the 32-bit integers of the LP64 CBLAS interface.
    static func fitsInt32(_ values: Int...) -> Bool { values.allSatisfy { $0 <= Int(Int32.max) } }

    func sgemm(
        _ ta: Transpose, _ tb: Transpose, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
        _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) {
        switch storage {
        case .dl(let h):
            cgemm_blas_sgemm(
                h, ta == .transposed ? 1 : 0, tb == .transposed ? 1 : 0,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
                beta, c, Int32(ldc))
        case .accelerate:
            #if canImport(Accelerate)
            cblas_sgemm(
                CblasRowMajor, ta == .transposed ? CblasTrans : CblasNoTrans,
                tb == .transposed ? CblasTrans : CblasNoTrans,
                numericCast(m), numericCast(n), numericCast(k), alpha, a, numericCast(lda),
                b, numericCast(ldb), beta, c, numericCast(ldc))
            #else
            preconditionFailure("Accelerate is not available on this platform")
            #endif
        }
    }

    func dgemm(
        _ ta: Transpose, _ tb: Transpose, _ m: Int, _ n: Int, _ k: Int, _ alpha: Double,
        _ a: UnsafePointer<Double>, _ lda: Int, _ b: UnsafePointer<Double>, _ ldb: Int,
        _ beta: Double, _ c: UnsafeMutablePointer<Double>, _ ldc: Int
    ) {
        switch storage {
        case .dl(let h):
            cgemm_blas_dgemm(
                h, ta == .transposed ? 1 : 0, tb == .transposed ? 1 : 0,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
                beta, c, Int32(ldc))
        case .accelerate:
            #if canImport(Accelerate)
            cblas_dgemm(
                CblasRowMajor, ta == .transposed ? CblasTrans : CblasNoTrans,
                tb == .transposed ? CblasTrans : CblasNoTrans,
                numericCast(m), numericCast(n), numericCast(k), alpha, a, numericCast(lda),
                b, numericCast(ldb), beta, c, numericCast(ldc))
            #else
            preconditionFailure("Accelerate is not available on this platform")
            #endif
        }
    }
}

/// Why a BLAS library could not be used.
public struct BLASLoadError: Error, Sendable, CustomStringConvertible {
    public var library: String
    public var message: String
    public var description: String { "\(library): \(message)" }
    public init(library: String, message: String) {
        self.library = library
        self.message = message
    }
}

extension BLASLibrary {
    /// Calls the library's cblas_sgemm directly, bypassing ``GEMM`` (no
    /// validation, no size checks): the benchmark uses it to measure the
    /// overhead of the GEMM wrapper.
    public func directSGEMM(
        _ ta: Transpose, _ tb: Transpose, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }

    /// Double-precision counterpart of ``directSGEMM(_:_:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``.
    public func directDGEMM(
        _ ta: Transpose, _ tb: Transpose, m: Int, n: Int, k: Int, alpha: Double,
        a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        dgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }
}
