/// Where a GEMM call is executed.
public enum GEMMBackend: Sendable {
    /// The built-in blocked driver with the given micro-kernel tier. A tier the
    /// CPU cannot run is replaced by the best supported one (never traps).
    case builtIn(GEMMKernel)
    /// A CBLAS library loaded at run time.
    case blas(BLASLibrary)

    /// The built-in backend with the best kernel for this CPU.
    public static var bestBuiltIn: GEMMBackend { .builtIn(CPUFeatures.current.bestKernel) }

    public var description: String {
        switch self {
        case .builtIn(let k):
            let kernel = CPUFeatures.current.supports(k) ? k : CPUFeatures.current.bestKernel
            return "built-in \(kernel.rawValue) (\(kernel.isaDescription))"
        case .blas(let lib):
            return lib.description
        }
    }
}

/// The backend chosen from the process environment, with notes.
public struct GEMMConfiguration: Sendable {
    public var backend: GEMMBackend
    public var notes: [String]
    public var maxThreads: Int

    /// Resolves `GRADSCOPE_KERNEL`, `GRADSCOPE_BLAS` and `GRADSCOPE_THREADS`.
    /// Pure except for the `dlopen` attempts of a BLAS request.
    public static func resolve(
        environment: [String: String], features: CPUFeatures,
        processorCount: Int
    ) -> GEMMConfiguration {
        var notes: [String] = []
        let selection = GEMMKernel.select(environment: environment, features: features)
        if let note = selection.note { notes.append(note) }

        var threads = max(1, processorCount)
        if let raw = environment["GRADSCOPE_THREADS"]?.trimmingWhitespace(), !raw.isEmpty {
            if let n = Int(raw), n >= 1 {
                threads = n
            } else {
                notes.append("GRADSCOPE_THREADS=\(raw) is not a positive integer; using \(threads)")
            }
        }

        var backend = GEMMBackend.builtIn(selection.kernel)
        let request = BLASRequest.parse(environment: environment)
        switch request {
        case .off:
            break
        case .auto, .required, .path:
            let candidates: [String]
            if case .path(let p) = request { candidates = [p] } else { candidates = BLASRequest.defaultCandidates }
            let (library, errors) = BLASLibrary.loadFirst(candidates)
            if let library {
                if environment["GRADSCOPE_THREADS"] != nil { library.setThreadCount(threads) }
                backend = .blas(library)
            } else if request != .auto {
                let why = errors.map(\.description).joined(separator: "; ")
                notes.append("GRADSCOPE_BLAS requested a BLAS library but none loaded (\(why)); using built-in kernels")
            }
        }
        return GEMMConfiguration(backend: backend, notes: notes, maxThreads: threads)
    }

    /// The configuration of this process (resolved once, on first use).
    public static let current: GEMMConfiguration = resolve(
        environment: GEMMEnvironment.current, features: .current,
        processorCount: GEMMEnvironment.processorCount)

    public var description: String {
        notes.isEmpty ? backend.description : backend.description + "; note: " + notes.joined(separator: "; ")
    }
}
