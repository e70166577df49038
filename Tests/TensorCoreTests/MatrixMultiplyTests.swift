import Testing
@testable import TensorCore

/// Shapes in which every size of 1, 3, 17, 31, 64, 127, 257 occurs as m, as
/// n and as k: triples (s[i], s[i+2], s[i+4]) (indices mod 7) and their
/// rotations, plus shapes that cross the blocking boundaries (k > KC, n > NC,
/// m > MC), the narrow-n dot kernel and the few-rows unpacked-B path.
let gemmShapes: [(m: Int, n: Int, k: Int)] = {
    let sizes = [1, 3, 17, 31, 64, 127, 257]
    var shapes: [(Int, Int, Int)] = []
    for i in 0..<sizes.count {
        let (x, y, z) = (sizes[i], sizes[(i + 2) % 7], sizes[(i + 4) % 7])
        shapes += [(x, y, z), (z, x, y), (y, z, x)]
    }
    shapes += [(40, 400, 520), (1030, 70, 30), (100, 10, 500), (10, 500, 100), (7, 90, 9)]
    return shapes
}()

let allTransposes: [(Transpose, Transpose)] = [
    (.none, .none), (.none, .transposed), (.transposed, .none), (.transposed, .transposed)
]

/// (α, β) pairs: plain product, β = 0 with NaN in C, accumulate, general.
let alphaBetas: [(Double, Double)] = [(1, 0), (-0.5, 0), (1, 1), (0.75, -1.25)]

func checkAll<T: GEMMTestScalar>(_: T.Type, backend: GEMMBackend?, seed: UInt64, threads: Int? = nil) {
    var rng = GEMMTestRNG(seed: seed)
    for (shapeIndex, s) in gemmShapes.enumerated() {
        for (ta, tb) in allTransposes {
            // Cycle through the α/β pairs so every shape meets each of them.
            let (alpha, beta) = alphaBetas[
                (shapeIndex + (ta == .none ? 0 : 1) + (tb == .none ? 0 : 2)) % alphaBetas.count]
            let problem = GEMMCase<T>(ta, tb, m: s.m, n: s.n, k: s.k, alpha: T(alpha), beta: T(beta), rng: &rng)
            let (failures, worst) = problem.check(problem.run(backend: backend, threads: threads))
            #expect(
                failures == 0,
                "\(T.name) \(ta)/\(tb) m=\(s.m) n=\(s.n) k=\(s.k) α=\(alpha) β=\(beta): \(failures) wrong; \(worst)")
        }
    }
}

/// Bitwise equality (NaN padding compares equal to itself).
func sameBits<T: BinaryFloatingPoint>(_ x: [T], _ y: [T]) -> Bool {
    x.count == y.count && zip(x, y).allSatisfy { a, b in a == b || (a.isNaN && b.isNaN) }
}

@Suite("GEMM correctness")
struct MatrixMultiplyTests {
    @Test(
        "Built-in kernel tiers against a naive Double reference",
        arguments: GEMMPrecision.allCases, [GEMMKernel.avx512, .avx2, .portable, .neon])
    func builtInTier(precision: GEMMPrecision, kernel: GEMMKernel) throws {
        guard CPUFeatures.current.supports(kernel) else {
            let reason = "\(kernel.rawValue) kernel skipped: not supported by this CPU (\(CPUFeatures.current))"
            print("note: \(reason)")
            try Test.cancel(Comment(rawValue: reason))
        }
        switch precision {
        case .float: checkAll(Float.self, backend: .builtIn(kernel), seed: 11)
        case .double: checkAll(Double.self, backend: .builtIn(kernel), seed: 12)
        }
    }

    @Test("Default backend (environment) against the reference", arguments: GEMMPrecision.allCases)
    func defaultBackend(precision: GEMMPrecision) {
        switch precision {
        case .float: checkAll(Float.self, backend: nil, seed: 21)
        case .double: checkAll(Double.self, backend: nil, seed: 22)
        }
    }

    @Test("BLAS backend against the reference", arguments: GEMMPrecision.allCases)
    func blasBackend(precision: GEMMPrecision) throws {
        let (library, errors) = BLASLibrary.loadFirst(BLASRequest.defaultCandidates)
        guard let library else {
            let reason = "BLAS test skipped: no library loaded (\(errors.map(\.description).joined(separator: "; ")))"
            print("note: \(reason)")
            try Test.cancel(Comment(rawValue: reason))
        }
        switch precision {
        case .float: checkAll(Float.self, backend: .blas(library), seed: 31)
        case .double: checkAll(Double.self, backend: .blas(library), seed: 32)
        }
    }

    @Test("Two threads give the same bits as one", arguments: GEMMPrecision.allCases)
    func threadCountDoesNotChangeBits(precision: GEMMPrecision) {
        func compare<T: GEMMTestScalar>(_: T.Type) {
            var rng = GEMMTestRNG(seed: 41)
            for (ta, tb) in allTransposes {
                // 6.3M multiply-adds: above the two-thread threshold.
                let p = GEMMCase<T>(ta, tb, m: 203, n: 310, k: 100, alpha: 1.5, beta: 0.5, rng: &rng)
                let one = p.run(backend: .bestBuiltIn, threads: 1)
                let two = p.run(backend: .bestBuiltIn, threads: 2)
                #expect(sameBits(one, two), "\(T.name) \(ta)/\(tb)")
                #expect(p.check(two).failures == 0)
            }
        }
        switch precision {
        case .float: compare(Float.self)
        case .double: compare(Double.self)
        }
    }

    @Test("withSingleThread is scoped and gives the same result")
    func singleThreadScope() {
        #expect(GEMM.isSingleThreaded == false)
        var rng = GEMMTestRNG(seed: 51)
        let p = GEMMCase<Float>(.none, .none, m: 256, n: 256, k: 128, alpha: 1, beta: 0, rng: &rng)
        let parallel = p.run(backend: .bestBuiltIn)
        let single = GEMM.withSingleThread {
            #expect(GEMM.isSingleThreaded)
            #expect(GEMMThreading.threadCount(m: 4096, n: 4096, k: 4096, requested: 8) == 1)
            return p.run(backend: .bestBuiltIn)
        }
        #expect(GEMM.isSingleThreaded == false)
        #expect(sameBits(parallel, single))
    }

    @Test("k = 0 gives C = βC; β = 0 writes zeros over NaN", arguments: [0.0, 2.0])
    func emptyInnerDimension(beta: Double) {
        var c: [Float] = [1, 2, Float.nan, 4, 5, 6]
        if beta != 0 { c[2] = 3 }
        let a: [Float] = [9], b: [Float] = [9]
        GEMM.sgemm(
            .none, .none, m: 2, n: 3, k: 0, alpha: 1, a: a, lda: 1, b: b, ldb: 3,
            beta: Float(beta), c: &c, ldc: 3)
        #expect(c == (beta == 0 ? [0, 0, 0, 0, 0, 0] : [2, 4, 6, 8, 10, 12]))
    }

    @Test("m = 0 or n = 0 is a no-op")
    func emptyOutput() {
        var c: [Double] = [1, 2, 3]
        let a: [Double] = [1, 2, 3], b: [Double] = [1, 2, 3]
        GEMM.dgemm(.none, .none, m: 0, n: 3, k: 1, alpha: 1, a: a, lda: 1, b: b, ldb: 3, beta: 0, c: &c, ldc: 3)
        GEMM.dgemm(.none, .none, m: 1, n: 0, k: 3, alpha: 1, a: a, lda: 3, b: b, ldb: 1, beta: 0, c: &c, ldc: 1)
        #expect(c == [1, 2, 3])
    }

    @Test("α = 0 does not read A or B")
    func zeroAlpha() {
        let a = [Float](repeating: .nan, count: 4), b = [Float](repeating: .infinity, count: 4)
        var c: [Float] = [1, 2, 3, 4]
        GEMM.sgemm(.none, .none, m: 2, n: 2, k: 2, alpha: 0, a: a, lda: 2, b: b, ldb: 2, beta: 0.5, c: &c, ldc: 2)
        #expect(c == [0.5, 1, 1.5, 2])
    }

    @Test(
        "Partition covers C exactly once along register tiles",
        arguments: [(1, 1), (6, 64), (100, 10), (1000, 784), (7, 1000), (2048, 2048), (13, 5)])
    func partition(m: Int, n: Int) {
        for threads in 1...4 {
            let tiles = GEMMThreading.partition(m: m, n: n, threads: threads, mr: 6, nr: 64)
            #expect(tiles.count >= 1 && tiles.count <= threads)
            var covered = [Int](repeating: 0, count: m * n)
            for t in tiles {
                #expect(t.m0 % 6 == 0 && t.n0 % 64 == 0)
                for i in t.m0..<t.m1 { for j in t.n0..<t.n1 { covered[i * n + j] += 1 } }
            }
            #expect(covered.allSatisfy { $0 == 1 }, "m=\(m) n=\(n) threads=\(threads)")
        }
    }

    @Test("Small products stay on one thread; large ones use the cap")
    func threadPolicy() {
        #expect(GEMMThreading.threadCount(m: 100, n: 10, k: 500, requested: 2) == 1)
        #expect(GEMMThreading.threadCount(m: 1024, n: 1024, k: 1024, requested: 2) == 2)
        #expect(GEMMThreading.threadCount(m: 1024, n: 1024, k: 1024, requested: 1) == 1)
        #expect(GEMMThreading.threadCount(m: 1 << 40, n: 1 << 40, k: 1 << 40, requested: 3) == 3)
    }

    @Test("Workspaces are 64-byte aligned and reused")
    func workspace() {
        let w = GEMMWorkspace()
        let (a, b) = w.buffers(Float.self, aCount: 1000, bCount: 3000)
        #expect(Int(bitPattern: a) % 64 == 0 && Int(bitPattern: b) % 64 == 0)
        let (a2, b2) = w.buffers(Float.self, aCount: 10, bCount: 10)
        #expect(a2 == a && b2 == b)  // no reallocation when it already fits
        GEMMWorkspacePool.checkin(w)
        #expect(GEMMWorkspacePool.idleCount >= 1)
    }
}
