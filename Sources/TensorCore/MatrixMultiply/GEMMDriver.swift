import CGemmKernels

/// The blocked GEMM driver (loops 5–3 of the Goto/BLIS algorithm; loops 2–1
/// and the micro-kernel are in C).
///
/// For each thread's rectangle of C:
///
///     for pc in 0..<k step KC                      // rank-KC update
///       for jc in n0..<n1 step NC                  // B block → L2
///         pack op(B)[pc.., jc..] into KC×NC panels of width NR
///         for ic in m0..<m1 step MC
///           A block: packed (A stored transposed) or read in place
///           macro-kernel: for ir step MR (A micro-panel in L1)
///                           for jr step NR (B micro-panel from L2)
///                             MR×NR micro-kernel, KC rank-1 updates
///
/// A stored as m×k (no transpose) is read in place: each micro-panel is MR
/// contiguous row segments, which stream and stay in L1 as well as a packed
/// copy, and skipping the copy matters for the skinny training shapes.
/// β is applied on the first KC block only (β = 0: C is not read).
///
/// Small-shape paths (BLIS calls these "sup"), where packing would cost as
/// much as the arithmetic:
/// - few rows (m ≤ ``unpackedBMaxRows``) and B stored k×n: B is read in place;
/// - A·Bᵀ with n ≤ ``dotMaxColumns`` (e.g. the 10-wide output layer): a
///   dot-product kernel vectorised along k, no packing at all.
/// When k < KC the B block is widened (NC·KC/k columns) to keep the same L2
/// footprint, so A is re-read fewer times.
enum GEMMDriver<T: GEMMElement> {
    struct Problem: @unchecked Sendable {
        // Raw pointers of one call, shared read-only by the worker threads;
        // each thread writes a disjoint rectangle of C.
        var kernel: Int32
        var blocking: cgemm_blocking
        var m: Int, n: Int, k: Int
        var alpha: T, beta: T
        var a: UnsafePointer<T>, rsa: Int, csa: Int, packA: Bool
        var b: UnsafePointer<T>, rsb: Int, csb: Int
        var c: UnsafeMutablePointer<T>, ldc: Int
        var useDot: Bool
        var epilogue: GEMMEpilogue<T>
    }

    /// Rows of C up to which B (stored k×n) is read in place rather than packed.
    static var unpackedBMaxRows: Int { 24 }
    /// Rows of C up to which the deep-product blocking is used (a property of the call, not of
    /// a thread's part, so that the summation order does not depend on the thread count).
    static var skinnyMaxRows: Int { 192 }
    /// The deepest k block of that blocking.
    static var skinnyMaxDepth: Int { 1024 }
    /// Elements of its B block (kc × nc): one 64-float panel at k = 1000, 256 KiB in float32.
    static var skinnyBlockElements: Int { 65536 }
    /// Columns of C up to which A·Bᵀ uses the dot-product kernel.
    static var dotMaxColumns: Int { 16 }

    static func run(
        kernel: GEMMKernel, _ transA: Transpose, _ transB: Transpose, _ m: Int, _ n: Int, _ k: Int,
        _ alpha: T, _ a: UnsafePointer<T>, _ lda: Int, _ b: UnsafePointer<T>, _ ldb: Int,
        _ beta: T, _ c: UnsafeMutablePointer<T>, _ ldc: Int, threads: Int?,
        epilogue: GEMMEpilogue<T> = .none
    ) {
        if k == 0 || alpha == 0 {
            scale(m, n, beta, c, ldc)
            epilogue.applyBias(column: 0, m, n, c, ldc)
            epilogue.applyPost(kernel: kernel.cValue, row: 0, column: 0, m, n, c, ldc)
            return
        }
        let blocking = cgemm_get_blocking(kernel.cValue, T.isDouble ? 1 : 0)
        let (rsa, csa) = transA == .none ? (lda, 1) : (1, lda)
        let (rsb, csb) = transB == .none ? (ldb, 1) : (1, ldb)
        let problem = Problem(
            kernel: kernel.cValue, blocking: blocking, m: m, n: n, k: k,
            alpha: alpha, beta: beta,
            a: a, rsa: rsa, csa: csa, packA: transA == .transposed,
            b: b, rsb: rsb, csb: csb, c: c, ldc: ldc,
            useDot: transA == .none && transB == .transposed && n <= dotMaxColumns
                && cgemm_supports_dot_nt(kernel.cValue) != 0,
            epilogue: epilogue)
        let t = GEMMThreading.threadCount(m: m, n: n, k: k, requested: threads)
        let tiles =
            t == 1
            ? [GEMMTile(m0: 0, m1: m, n0: 0, n1: n)]
            : GEMMThreading.partition(m: m, n: n, threads: t, mr: Int(blocking.mr), nr: Int(blocking.nr))
        GEMMThreading.forEach(tiles.count) { i in
            let workspace = GEMMWorkspacePool.checkout()
            compute(problem, tiles[i], workspace)
            GEMMWorkspacePool.checkin(workspace)
        }
    }

    /// C ← β·C (β = 0 writes zeros without reading C).
    static func scale(_ m: Int, _ n: Int, _ beta: T, _ c: UnsafeMutablePointer<T>, _ ldc: Int) {
        if beta == 1 { return }
        for i in 0..<m {
            let row = c + i * ldc
            if beta == 0 {
                row.update(repeating: 0, count: n)
            } else {
                for j in 0..<n { row[j] *= beta }
            }
        }
    }

    static func compute(_ p: Problem, _ tile: GEMMTile, _ workspace: GEMMWorkspace) {
        let MR = Int(p.blocking.mr), NR = Int(p.blocking.nr)
        let KC = Int(p.blocking.kc), NC = Int(p.blocking.nc), MC = Int(p.blocking.mc)
        let tm = tile.m1 - tile.m0, tn = tile.n1 - tile.n0
        if tm <= 0 || tn <= 0 { return }
        if p.useDot {
            // A (m×k, row stride rsa) · B stored n×k (row stride csb).
            let c = p.c + tile.m0 * p.ldc + tile.n0
            var beta = p.beta
            if p.epilogue.bias != nil {
                p.epilogue.applyBias(column: tile.n0, tm, tn, c, p.ldc)
                beta = 1
            }
            _ = T.dotNT(
                p.kernel, tm, tn, p.k, p.alpha, p.a + tile.m0 * p.rsa, p.rsa,
                p.b + tile.n0 * p.csb, p.csb, beta, c, p.ldc)
            p.epilogue.applyPost(kernel: p.kernel, row: tile.m0, column: tile.n0, tm, tn, c, p.ldc)
            return
        }
        var kcMax = min(KC, p.k)
        // Same L2 footprint for a shallow block: widen NC when k < KC.
        var ncMax = kcMax < KC ? (NC * KC / kcMax + NR - 1) / NR * NR : NC
        if p.m <= skinnyMaxRows && p.k > KC {
            // Few rows (a batch of examples) and a deep product: k in as few equal blocks of at
            // most `skinnyMaxDepth` as possible, and B blocks of one or a few panels. C is then
            // written once instead of once per KC block, no short tail block is left over
            // (784 = 384 + 384 + 16 otherwise), and the whole A stays in L2.
            let blocks = (p.k + skinnyMaxDepth - 1) / skinnyMaxDepth
            kcMax = (p.k + blocks - 1) / blocks
            ncMax = max(NR, skinnyBlockElements / kcMax / NR * NR)
        }
        let packB = !(p.csb == 1 && tm <= unpackedBMaxRows && cgemm_supports_unpacked_b(p.kernel) != 0)
        let aCount = p.packA ? (min(MC, tm) + MR - 1) / MR * MR * kcMax : 0
        let bCount = packB ? (min(ncMax, tn) + NR - 1) / NR * NR * kcMax : 0
        let (aBuf, bBuf) = workspace.buffers(T.self, aCount: aCount, bCount: bCount)

        var pc = 0
        while pc < p.k {
            let kc = min(kcMax, p.k - pc)
            let lastBlock = pc + kc == p.k
            let beta: T = pc == 0 ? p.beta : 1
            var jc = tile.n0
            while jc < tile.n1 {
                let nc = min(ncMax, tile.n1 - jc)
                let bBlock = p.b + pc * p.rsb + jc * p.csb
                if packB { T.packB(p.kernel, kc, nc, bBlock, p.rsb, p.csb, bBuf) }
                var ic = tile.m0
                while ic < tile.m1 {
                    let mc = min(MC, tile.m1 - ic)
                    let aBlock = p.a + ic * p.rsa + pc * p.csa
                    let aPtr: UnsafePointer<T>
                    if p.packA {
                        T.packA(p.kernel, mc, kc, aBlock, p.rsa, p.csa, aBuf)
                        aPtr = UnsafePointer(aBuf)
                    } else {
                        aPtr = aBlock
                    }
                    let cBlock = p.c + ic * p.ldc + jc
                    var blockBeta = beta
                    if pc == 0 && p.epilogue.bias != nil {
                        p.epilogue.applyBias(column: jc, mc, nc, cBlock, p.ldc)
                        blockBeta = 1
                    }
                    // target += C is done by the macro-kernel, tile by tile; other post-operations
                    // on the block once it is complete.
                    var addto: UnsafeMutablePointer<T>?, ldadd = 0
                    if lastBlock, case .addTo(let y, let ld) = p.epilogue.operation {
                        (addto, ldadd) = (y + ic * ld + jc, ld)
                    }
                    T.macro(
                        p.kernel, mc, nc, kc, p.alpha, aPtr, p.rsa, p.csa, p.packA,
                        packB ? UnsafePointer(bBuf) : bBlock, p.rsb, packB,
                        blockBeta, cBlock, p.ldc, addto, ldadd)
                    if lastBlock && addto == nil {
                        p.epilogue.applyPost(kernel: p.kernel, row: ic, column: jc, mc, nc, cBlock, p.ldc)
                    }
                    ic += mc
                }
                jc += nc
            }
            pc += kc
        }
    }
}
