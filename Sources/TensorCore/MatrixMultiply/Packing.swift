/// Packing buffers for one thread of one GEMM call.
///
/// Buffers are 64-byte aligned (one cache line, one zmm register) and grow
/// monotonically; workspaces are returned to ``GEMMWorkspacePool`` after each
/// call so the allocation is reused by later calls.
///
/// `@unchecked Sendable`: a workspace is owned by exactly one thread between
/// ``GEMMWorkspacePool/checkout()`` and ``GEMMWorkspacePool/checkin(_:)``; the
/// pool's mutex orders the hand-over, so its mutable state is never shared.
final class GEMMWorkspace: @unchecked Sendable {
    static let alignment = 64

    private var aBuffer: UnsafeMutableRawPointer?
    private var aBytes = 0
    private var bBuffer: UnsafeMutableRawPointer?
    private var bBytes = 0

    var totalBytes: Int { aBytes + bBytes }

    /// Buffers of at least `aCount` and `bCount` elements of `T`.
    func buffers<T>(_: T.Type, aCount: Int, bCount: Int) -> (a: UnsafeMutablePointer<T>, b: UnsafeMutablePointer<T>) {
        let needA = max(aCount, 1) * MemoryLayout<T>.stride
        let needB = max(bCount, 1) * MemoryLayout<T>.stride
        if needA > aBytes {
            aBuffer?.deallocate()
            aBuffer = UnsafeMutableRawPointer.allocate(byteCount: needA, alignment: Self.alignment)
            aBytes = needA
        }
        if needB > bBytes {
            bBuffer?.deallocate()
            bBuffer = UnsafeMutableRawPointer.allocate(byteCount: needB, alignment: Self.alignment)
            bBytes = needB
        }
        return (aBuffer!.assumingMemoryBound(to: T.self), bBuffer!.assumingMemoryBound(to: T.self))
    }

    deinit {
        aBuffer?.deallocate()
        bBuffer?.deallocate()
    }
}

import Synchronization

/// Process-wide free list of workspaces, shared by all callers and threads.
enum GEMMWorkspacePool {
    private static let free = Mutex<[GEMMWorkspace]>([])

    /// Workspaces kept for reuse; more than this (many concurrent callers)
    /// are released when returned.
    static var retainLimit: Int { max(4, 2 * GEMM.maxThreads) }

    static func checkout() -> GEMMWorkspace {
        free.withLock { $0.popLast() } ?? GEMMWorkspace()
    }

    static func checkin(_ workspace: GEMMWorkspace) {
        let limit = retainLimit
        free.withLock { list in
            if list.count < limit { list.append(workspace) }
        }
    }

    /// Number of idle workspaces (for tests).
    static var idleCount: Int { free.withLock { $0.count } }
}
