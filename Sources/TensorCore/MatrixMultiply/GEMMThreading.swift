import CGemmKernels
import Dispatch

/// A rectangle of C computed by one thread: rows m0..<m1, columns n0..<n1.
struct GEMMTile: Equatable, Sendable {
    var m0: Int, m1: Int, n0: Int, n1: Int
}

/// Thread-count policy, partitioning and the fork/join of GEMM calls.
///
/// C is split into a grid of rectangles aligned to the register tile; each
/// thread packs its own operands and computes its rectangle independently
/// (no synchronisation inside a call). The fork/join uses the persistent
/// helper threads of `cgemm_pool_run` (Sources/CGemmKernels/pool.c), which
/// spin briefly after each call before parking, so the back-to-back products
/// of a training step do not pay a kernel wake-up each; a second concurrent
/// caller falls back to `DispatchQueue.concurrentPerform`.
package enum GEMMThreading {
    /// Set by ``GEMM/withSingleThread(_:)``: the caller is already parallel.
    @TaskLocal static var singleThreaded = false

    /// Minimum multiply-adds per thread before another thread is worth its
    /// wake-up and the extra packing (≈ 10–20 µs of single-core work).
    static let minimumWorkPerThread = 1 << 21

    /// Number of threads for an m×n×k product.
    static func threadCount(m: Int, n: Int, k: Int, requested: Int?) -> Int {
        if singleThreaded { return 1 }
        let cap = max(1, requested ?? GEMM.maxThreads)
        if cap == 1 { return 1 }
        let mn = m.multipliedReportingOverflow(by: n)
        let mnk = mn.partialValue.multipliedReportingOverflow(by: k)
        let work = (mn.overflow || mnk.overflow) ? Int.max : mnk.partialValue
        let byWork = max(1, work / minimumWorkPerThread)
        return min(cap, byWork)
    }

    /// Splits C (m×n) into `threads` rectangles along register-tile
    /// boundaries, choosing the grid tm×tn that minimises the per-thread
    /// operand footprint (m/tm)·k + k·(n/tn). May return fewer tiles when the
    /// matrix has fewer register tiles than threads.
    static func partition(m: Int, n: Int, threads: Int, mr: Int, nr: Int) -> [GEMMTile] {
        let mBlocks = (m + mr - 1) / mr
        let nBlocks = (n + nr - 1) / nr
        var t = max(1, min(threads, mBlocks * nBlocks))
        while t > 1 {
            var best: (tm: Int, tn: Int, cost: Double)?
            for tm in 1...t where t % tm == 0 {
                let tn = t / tm
                if tm > mBlocks || tn > nBlocks { continue }
                // Largest piece (in elements) along each dimension.
                let mPiece = Double((mBlocks + tm - 1) / tm * mr)
                let nPiece = Double((nBlocks + tn - 1) / tn * nr)
                let cost = mPiece + nPiece
                if best == nil || cost < best!.cost { best = (tm, tn, cost) }
            }
            if let best {
                var tiles: [GEMMTile] = []
                tiles.reserveCapacity(t)
                for i in 0..<best.tm {
                    let m0 = min(m, (i * mBlocks / best.tm) * mr)
                    let m1 = min(m, ((i + 1) * mBlocks / best.tm) * mr)
                    for j in 0..<best.tn {
                        let n0 = min(n, (j * nBlocks / best.tn) * nr)
                        let n1 = min(n, ((j + 1) * nBlocks / best.tn) * nr)
                        tiles.append(GEMMTile(m0: m0, m1: m1, n0: n0, n1: n1))
                    }
                }
                return tiles
            }
            t -= 1
        }
        return [GEMMTile(m0: 0, m1: m, n0: 0, n1: n)]
    }

    /// Runs `body(i)` for i in 0..<count, in parallel when count > 1.
    ///
    /// Uses the persistent helper threads of `cgemm_pool_run` (they spin
    /// briefly after a job, so back-to-back calls skip the kernel wake-up);
    /// when the pool is busy with another caller's call, falls back to
    /// `DispatchQueue.concurrentPerform`.
    package static func forEach(_ count: Int, _ body: @Sendable (Int) -> Void) {
        if count == 1 {
            body(0)
            return
        }
        let ran = withoutActuallyEscaping(body) { escapable -> Bool in
            var task = escapable
            return withUnsafeMutablePointer(to: &task) { pointer in
                cgemm_pool_run(
                    Int32(count),
                    { context, index in
                        context!.assumingMemoryBound(to: (@Sendable (Int) -> Void).self).pointee(index)
                    }, UnsafeMutableRawPointer(pointer)) != 0
            }
        }
        if !ran {
            DispatchQueue.concurrentPerform(iterations: count, execute: body)
        }
    }
}

extension GEMM {
    /// Runs `body` with GEMM limited to the calling thread: use it when the
    /// caller already runs GEMMs in parallel (e.g. one per task or per worker
    /// thread) so the machine is not oversubscribed. Scoped with a
    /// `@TaskLocal`, so it affects only this task / thread and its children.
    public static func withSingleThread<R>(_ body: () throws -> R) rethrows -> R {
        try GEMMThreading.$singleThreaded.withValue(true) { try body() }
    }

    /// Async variant of ``withSingleThread(_:)``.
    public static func withSingleThread<R>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> R
    ) async rethrows -> R {
        try await GEMMThreading.$singleThreaded.withValue(true) { try await body() }
    }

    /// Whether the current task / thread is inside ``withSingleThread(_:)``.
    public static var isSingleThreaded: Bool { GEMMThreading.singleThreaded }
}
