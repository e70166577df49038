import CGemmKernels

/// The CPU properties that decide which kernel tier can run.
public struct CPUFeatures: Sendable, Equatable {
    public enum Architecture: Sendable, Equatable { case x86_64, arm64, other }

    public var architecture: Architecture
    /// AVX2 and FMA3 (with OS support for the ymm state).
    public var hasAVX2FMA: Bool
    /// AVX-512 Foundation and FMA3 (with OS support for the zmm state).
    public var hasAVX512F: Bool

    public init(architecture: Architecture, hasAVX2FMA: Bool, hasAVX512F: Bool) {
        self.architecture = architecture
        self.hasAVX2FMA = hasAVX2FMA
        self.hasAVX512F = hasAVX512F
    }

    /// The features of the CPU running this process (probed once).
    public static let current: CPUFeatures = {
        let arch: Architecture
        switch cgemm_arch() {
        case 1: arch = .x86_64
        case 2: arch = .arm64
        default: arch = .other
        }
        return CPUFeatures(
            architecture: arch,
            hasAVX2FMA: cgemm_cpu_has_avx2_fma() != 0,
            hasAVX512F: cgemm_cpu_has_avx512f() != 0)
    }()

    /// Whether a CPU with these features can run `kernel`.
    public func supports(_ kernel: GEMMKernel) -> Bool {
        switch kernel {
        case .portable: return true
        case .avx2: return architecture == .x86_64 && hasAVX2FMA
        case .avx512: return architecture == .x86_64 && hasAVX512F && hasAVX2FMA
        case .neon: return architecture == .arm64
        }
    }

    /// The fastest tier these features support.
    public var bestKernel: GEMMKernel {
        switch architecture {
        case .x86_64: return supports(.avx512) ? .avx512 : (supports(.avx2) ? .avx2 : .portable)
        case .arm64: return .neon
        case .other: return .portable
        }
    }
}

/// Result of choosing a kernel tier: the tier and, when the request could not
/// be honoured, a note saying why (shown in ``GEMM/backendDescription``).
public struct KernelSelection: Sendable, Equatable {
    public var kernel: GEMMKernel
    public var note: String?

    public init(kernel: GEMMKernel, note: String? = nil) {
        self.kernel = kernel
        self.note = note
    }
}

extension GEMMKernel {
    /// The environment variable that forces a tier: `auto` (default),
    /// `avx512`, `avx2`, `portable` or `neon`.
    public static let environmentKey = "GRADSCOPE_KERNEL"

    /// Chooses a kernel tier from an environment and a CPU feature set.
    ///
    /// A pure function (no global state), so tests can pass any environment
    /// and any CPU. A forced tier the CPU cannot run falls back to the best
    /// supported tier with a note; it never traps.
    public static func select(environment: [String: String], features: CPUFeatures) -> KernelSelection {
        let best = features.bestKernel
        let raw = environment[environmentKey]?.trimmingWhitespace().lowercased() ?? ""
        if raw.isEmpty || raw == "auto" { return KernelSelection(kernel: best) }
        guard let requested = GEMMKernel(rawValue: raw) else {
            return KernelSelection(
                kernel: best,
                note: "\(environmentKey)=\(raw) is not one of auto|avx512|avx2|portable|neon; using \(best.rawValue)")
        }
        if features.supports(requested) { return KernelSelection(kernel: requested) }
        return KernelSelection(
            kernel: best,
            note: "\(environmentKey)=\(raw) requested but this CPU cannot run it; using \(best.rawValue)")
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
