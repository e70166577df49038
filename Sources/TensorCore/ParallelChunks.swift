import Foundation

/// Element-wise loops over large buffers split into contiguous chunks, one per core, on GEMM's
/// persistent helper threads (no kernel wake-up between the GEMMs of a training step and the
/// element-wise work after them). Each element is computed by the same expression whatever the
/// split, so results do not depend on the thread count.
package enum ParallelChunks {
    /// Buffers smaller than this run on the calling thread.
    package static let threshold = 1 << 16
    /// The chunks a large buffer is split into: the cores GEMM may use.
    package static let threads = Swift.max(1, Swift.min(GEMM.maxThreads, ProcessInfo.processInfo.activeProcessorCount))

    /// Calls `body(offset, count)` for contiguous chunks covering 0..<count, in parallel when
    /// `count ≥ threshold`. The chunks must touch disjoint ranges of buffers that outlive the call.
    package static func run(_ count: Int, _ body: (Int, Int) -> Void) {
        guard count >= threshold, threads > 1 else { body(0, count); return }
        let threads = self.threads
        let chunk = (count + threads - 1) / threads
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedSendable(body)
            GEMMThreading.forEach(threads) { t in
                let start = t * chunk
                if start < count { shared.value(start, Swift.min(chunk, count - start)) }
            }
        }
    }
}

/// A value handed to worker threads that the caller guarantees is safe to share (here: a
/// closure writing disjoint ranges of buffers that outlive the parallel loop).
package struct UncheckedSendable<Value>: @unchecked Sendable {
    package let value: Value
    package init(_ value: Value) { self.value = value }
}
