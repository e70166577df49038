import TensorCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The machine's measured clock and peak FLOP rate.
///
/// The clock comes from a chain of dependent integer adds (exactly one cycle
/// each on every x86-64 and arm64 core), so it is the frequency the core
/// actually runs at under load, not the nominal /proc/cpuinfo figure. The
/// FMA throughput probe (24 independent accumulators on the widest vectors of
/// the best kernel tier) gives FMA instructions per cycle; peak FLOP/s per
/// core = clock × FMAs/cycle × lanes × 2.
struct MachineInfo {
    var cpu: String
    var cores: Int
    var clockGHz: Double
    var fmaLatencyCycles: Double
    var fmaPerCycle: Double  // measured vector FMA instructions per cycle
    var fmaPipes: Int  // rounded
    var lanes32: Int  // float lanes per vector FMA
    var kernel: GEMMKernel

    var spFlopsPerCycle: Int { fmaPipes * lanes32 * 2 }
    var dpFlopsPerCycle: Int { spFlopsPerCycle / 2 }
    func peakPerCoreGFLOPs(double: Bool) -> Double {
        clockGHz * Double(double ? dpFlopsPerCycle : spFlopsPerCycle)
    }

    static func measure(kernel: GEMMKernel) -> MachineInfo {
        let cpu = GEMMMachineProbe.cpuBrand
        let cores = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))

        let iterations = 4_000_000
        _ = GEMMMachineProbe.addChainSeconds(iterations: iterations / 10)  // wake the core up
        var best = Double.infinity
        for _ in 0..<5 { best = min(best, GEMMMachineProbe.addChainSeconds(iterations: iterations)) }
        let clock = Double(iterations) * 64 / best / 1e9

        var fmaBest = Double.infinity
        for _ in 0..<3 { fmaBest = min(fmaBest, GEMMMachineProbe.fmaChainSeconds(iterations: iterations / 4)) }
        let latency = fmaBest * clock * 1e9 / (Double(iterations / 4) * 64)

        var lanes = 0
        var thrBest = Double.infinity
        let thrIterations = 2_000_000
        for _ in 0..<5 {
            let r = GEMMMachineProbe.fmaThroughput(kernel: kernel, iterations: thrIterations)
            thrBest = min(thrBest, r.seconds)
            lanes = r.floatLanes
        }
        var perCycle = 0.0
        var pipes = 1
        var lanes32 = lanes
        if lanes > 0 {
            perCycle = Double(thrIterations) * 96 / thrBest / (clock * 1e9)
            pipes = max(1, Int(perCycle.rounded()))
        } else {
            // Portable / unknown: assume one 128-bit lane group of 4 floats.
            lanes32 = 4
        }
        return MachineInfo(
            cpu: cpu, cores: cores, clockGHz: clock, fmaLatencyCycles: latency,
            fmaPerCycle: perCycle, fmaPipes: pipes, lanes32: lanes32, kernel: kernel)
    }
}
