import Testing
@testable import TensorCore

@Suite("Kernel and backend selection")
struct KernelSelectionTests {
    static let zen4 = CPUFeatures(architecture: .x86_64, hasAVX2FMA: true, hasAVX512F: true)
    static let haswell = CPUFeatures(architecture: .x86_64, hasAVX2FMA: true, hasAVX512F: false)
    static let oldX86 = CPUFeatures(architecture: .x86_64, hasAVX2FMA: false, hasAVX512F: false)
    static let arm = CPUFeatures(architecture: .arm64, hasAVX2FMA: false, hasAVX512F: false)

    @Test("auto picks the best tier of the CPU")
    func auto() {
        #expect(GEMMKernel.select(environment: [:], features: Self.zen4) == KernelSelection(kernel: .avx512))
        #expect(GEMMKernel.select(environment: ["GRADSCOPE_KERNEL": "auto"], features: Self.zen4).kernel == .avx512)
        // x86-64 without AVX-512 must select the AVX2 kernel.
        #expect(GEMMKernel.select(environment: [:], features: Self.haswell) == KernelSelection(kernel: .avx2))
        #expect(GEMMKernel.select(environment: [:], features: Self.oldX86).kernel == .portable)
        #expect(GEMMKernel.select(environment: [:], features: Self.arm).kernel == .neon)
    }

    @Test(
        "A forced tier the CPU has is used",
        arguments: [("avx512", GEMMKernel.avx512), ("avx2", .avx2), ("portable", .portable), (" AVX2 ", .avx2)])
    func forcedSupported(value: String, expected: GEMMKernel) {
        let s = GEMMKernel.select(environment: ["GRADSCOPE_KERNEL": value], features: Self.zen4)
        #expect(s.kernel == expected)
        #expect(s.note == nil)
    }

    @Test("A forced tier the CPU lacks falls back to the best one with a note")
    func forcedUnsupported() {
        let s = GEMMKernel.select(environment: ["GRADSCOPE_KERNEL": "avx512"], features: Self.haswell)
        #expect(s.kernel == .avx2)
        #expect(s.note?.contains("avx512") == true)
        let n = GEMMKernel.select(environment: ["GRADSCOPE_KERNEL": "neon"], features: Self.zen4)
        #expect(n.kernel == .avx512 && n.note != nil)
        let x = GEMMKernel.select(environment: ["GRADSCOPE_KERNEL": "avx2"], features: Self.arm)
        #expect(x.kernel == .neon && x.note != nil)
        let bad = GEMMKernel.select(environment: ["GRADSCOPE_KERNEL": "fastest"], features: Self.oldX86)
        #expect(bad.kernel == .portable && bad.note?.contains("fastest") == true)
    }

    @Test("This CPU's features are consistent with the tiers it runs")
    func currentCPU() {
        let f = CPUFeatures.current
        #expect(f.supports(.portable))
        #expect(f.supports(f.bestKernel))
        if f.hasAVX512F { #expect(f.hasAVX2FMA) }
    }

    @Test(
        "GRADSCOPE_BLAS parsing",
        arguments: [
            ("", BLASRequest.off), ("off", .off), ("auto", .auto), ("blas", .required), ("BLAS", .required),
            ("/opt/lib/libfoo.so", .path("/opt/lib/libfoo.so"))
        ])
    func blasParsing(value: String, expected: BLASRequest) {
        #expect(BLASRequest.parse(environment: ["GRADSCOPE_BLAS": value]) == expected)
        #expect(BLASRequest.parse(environment: [:]) == .off)
    }

    @Test("A missing BLAS falls back to built-in with a note, never traps")
    func missingBLAS() {
        let env = ["GRADSCOPE_BLAS": "/nonexistent/libnothing.so"]
        let config = GEMMConfiguration.resolve(environment: env, features: Self.haswell, processorCount: 2)
        guard case .builtIn(let k) = config.backend else {
            Issue.record("expected built-in backend")
            return
        }
        #expect(k == .avx2)
        #expect(config.description.contains("note"))
    }

    @Test("BLAS off by default; auto uses a library when present")
    func blasDefault() {
        let off = GEMMConfiguration.resolve(environment: [:], features: .current, processorCount: 2)
        if case .blas = off.backend { Issue.record("BLAS must be off by default") }
        let auto = GEMMConfiguration.resolve(
            environment: ["GRADSCOPE_BLAS": "auto"], features: .current, processorCount: 2)
        let available = BLASLibrary.loadFirst(BLASRequest.defaultCandidates).library != nil
        if case .blas(let lib) = auto.backend {
            #expect(available)
            #expect(auto.description.hasPrefix("blas "))
            #expect(!lib.path.isEmpty)
        } else {
            #expect(!available)
            #expect(auto.notes.isEmpty)  // auto falls back silently
        }
    }

    @Test("GRADSCOPE_THREADS caps threads")
    func threads() {
        #expect(GEMMConfiguration.resolve(environment: [:], features: Self.zen4, processorCount: 8).maxThreads == 8)
        #expect(
            GEMMConfiguration.resolve(
                environment: ["GRADSCOPE_THREADS": "3"], features: Self.zen4,
                processorCount: 8
            ).maxThreads == 3)
        let bad = GEMMConfiguration.resolve(
            environment: ["GRADSCOPE_THREADS": "zero"], features: Self.zen4,
            processorCount: 2)
        #expect(bad.maxThreads == 2 && !bad.notes.isEmpty)
    }

    @Test("backendDescription names the backend")
    func description() {
        let d = GEMM.backendDescription
        #expect(d.hasPrefix("built-in ") || d.hasPrefix("blas "))
    }
}
