import CGemmKernels

/// A tier of the built-in register-blocked micro-kernels.
///
/// Each tier is a C micro-kernel compiled with its own target attributes, so a
/// plain baseline `swift build -c release` carries all of them and the best
/// one is chosen at run time (see ``GEMMKernel/select(environment:features:)``).
///
/// | tier       | ISA                    | register tile (Float / Double) |
/// |------------|------------------------|--------------------------------|
/// | `avx512`   | x86-64 AVX-512F + FMA  | 6×64 / 6×32 (24 zmm accumulators) |
/// | `avx2`     | x86-64 AVX2 + FMA      | 6×16 / 6×8 (12 ymm accumulators) |
/// | `neon`     | arm64 Advanced SIMD    | 4×16 / 4×8                      |
/// | `portable` | any (plain C)          | 4×8                             |
public enum GEMMKernel: String, Sendable, Equatable, CaseIterable {
    case avx512
    case avx2
    case portable
    case neon

    var cValue: Int32 {
        switch self {
        case .portable: return Int32(CGEMM_KERNEL_PORTABLE)
        case .avx2: return Int32(CGEMM_KERNEL_AVX2)
        case .avx512: return Int32(CGEMM_KERNEL_AVX512)
        case .neon: return Int32(CGEMM_KERNEL_NEON)
        }
    }

    /// Human-readable ISA of the tier.
    public var isaDescription: String {
        switch self {
        case .avx512: return "x86-64 AVX-512F+FMA"
        case .avx2: return "x86-64 AVX2+FMA"
        case .portable: return "portable C"
        case .neon: return "arm64 NEON"
        }
    }

    /// Whether the running CPU can execute this tier.
    public var isSupportedOnThisCPU: Bool { CPUFeatures.current.supports(self) }
}
