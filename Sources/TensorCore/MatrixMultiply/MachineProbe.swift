import CGemmKernels

/// Micro-benchmarks of the core itself, for the benchmark harness: the clock
/// the core actually runs at and the FMA throughput that bounds GEMM.
public enum GEMMMachineProbe {
    /// Seconds for `iterations` × 64 dependent integer adds (one cycle each on
    /// every x86-64 and arm64 core), so clock = 64·iterations / seconds.
    public static func addChainSeconds(iterations: Int) -> Double {
        cgemm_probe_add_chain(iterations)
    }

    /// Seconds for `iterations` × 64 dependent vector FMAs (latency probe).
    public static func fmaChainSeconds(iterations: Int) -> Double {
        cgemm_probe_fma_chain(iterations)
    }

    /// Seconds for `iterations` × 96 independent FMAs on the widest vectors of
    /// `kernel`, and the number of Float lanes per FMA (0 if not measurable).
    public static func fmaThroughput(kernel: GEMMKernel, iterations: Int) -> (seconds: Double, floatLanes: Int) {
        var lanes: Int32 = 0
        let t = cgemm_probe_fma_throughput(kernel.cValue, iterations, &lanes)
        return (t, Int(lanes))
    }

    /// CPU brand string (CPUID on x86-64, /proc/cpuinfo elsewhere).
    public static var cpuBrand: String {
        var buffer = [CChar](repeating: 0, count: 256)
        cgemm_cpu_brand(&buffer, Int32(buffer.count))
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
