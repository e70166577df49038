import Foundation
import Testing
@testable import TensorCore

/// The vectorised elementary functions against the C library, over a wide range.
struct ScalarKernelTests {
    static func inputs() -> [Double] {
        var rng = PRNG(seed: 17)
        var xs = (0..<20000).map { _ in rng.nextDouble() * 200 - 100 }
        xs += (0..<2000).map { _ in rng.nextDouble() * 2 - 1 }
        xs += [0, -0.0, 1e-300, -1e-300, 700, -700, -740, -745, -746, -800, 709, 708.5, 1e-8, -1e-8]
        return xs
    }

    /// |a − b| / |b| in units of Double's ulp at 1.
    static func ulps(_ a: Double, _ b: Double) -> Double {
        if a == b { return 0 }
        if b == 0 || !b.isNormal { return abs(a - b) / Double.leastNormalMagnitude }
        return abs(a - b) / abs(b) / Double.ulpOfOne
    }

    @Test func expIsWithinFourUlp() {
        let xs = Self.inputs().filter { $0 > -708 }
        var ys = [Double](repeating: 0, count: xs.count)
        xs.withUnsafeBufferPointer { x in ys.withUnsafeMutableBufferPointer { Double.exp(x, into: $0) } }
        let worst = zip(ys, xs).map { Self.ulps($0, Foundation.exp($1)) }.max()!
        #expect(worst <= 4, "worst \(worst) ulp")
        // Underflow to (sub)normal and zero as the C library does, within an absolute 1e-320.
        var tiny = [0.0, 0.0, 0.0]
        [-740.0, -745.5, -800.0].withUnsafeBufferPointer { x in
            tiny.withUnsafeMutableBufferPointer { Double.exp(x, into: $0) }
        }
        #expect(
            abs(tiny[0] - Foundation.exp(-740)) < 1000 * Double.leastNonzeroMagnitude && tiny[1] == 0 && tiny[2] == 0)
    }

    @Test func sigmoidMatchesTheDefinition() {
        let xs = Self.inputs()
        var ys = [Double](repeating: 0, count: xs.count)
        xs.withUnsafeBufferPointer { x in ys.withUnsafeMutableBufferPointer { Double.sigmoid(x, into: $0) } }
        for (y, x) in zip(ys, xs) {
            let exact = x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x))
            #expect(Self.ulps(y, exact) <= 8 || abs(y - exact) < 1e-300, "x = \(x): \(y) vs \(exact)")
        }
        var floats = [Float](repeating: 0, count: 3)
        [Float(-1000), 0, 1000].withUnsafeBufferPointer { x in
            floats.withUnsafeMutableBufferPointer { Float.sigmoid(x, into: $0) }
        }
        #expect(floats == [0, 0.5, 1])
    }

    @Test func softplusSumMatchesLog1p() {
        let xs = Self.inputs()
        let reference = xs.reduce(0.0) { $0 + max($1, 0) + Foundation.log1p(Foundation.exp(-abs($1))) }
        let ours = xs.withUnsafeBufferPointer { Double.softplusSum($0) }
        #expect(abs(ours - reference) <= 1e-14 * reference)
        // Each term alone, including the tiny-t regime where log1p(t) ≈ t.
        for x in [-40.0, -20, -1, 0, 1, 20, 40, 1e-10] {
            let one = [x].withUnsafeBufferPointer { Double.softplusSum($0) }
            let exact = max(x, 0) + Foundation.log1p(Foundation.exp(-abs(x)))
            #expect(Self.ulps(one, exact) <= 4, "x = \(x): \(one) vs \(exact)")
        }
        let f = [Float(1), -2, 3].withUnsafeBufferPointer { Float.softplusSum($0) }
        #expect(abs(f - [1.0, -2, 3].reduce(0.0) { $0 + Foundation.log1p(Foundation.exp($1)) }) < 1e-14)
    }

    @Test func logSumExpRows() {
        let x: [Double] = [1000, 999, -5, 0, 0, 0]
        let ours = x.withUnsafeBufferPointer { Double.logSumExpRowsSum($0, columns: 3) }
        let row1: Double = 1000 + Foundation.log(1.0 + Foundation.exp(-1.0) + Foundation.exp(-1005.0))
        let row2 = Foundation.log(3.0)
        #expect(abs(ours - (row1 + row2)) <= 1e-13 * abs(row1 + row2))
    }

    /// The rank-1 update by a column difference against the plain formula, Float and Double.
    @Test func differenceOuterProductMatchesTheFormula() {
        func run<S: TensorScalar & BinaryFloatingPoint>(_: S.Type) {
            let a: [S] = [1, 2, 3, 4], b: [S] = [1, 0.5, 3, -2], w: [S] = [2, -1, 0.25]
            var z = [S](repeating: 1, count: 12)
            a.withUnsafeBufferPointer { ap in
                b.withUnsafeBufferPointer { bp in
                    w.withUnsafeBufferPointer { wp in
                        z.withUnsafeMutableBufferPointer {
                            S.addDifferenceOuterProduct(
                                rows: 4, a: ap.baseAddress!, b: bp.baseAddress!, w: wp, into: $0.baseAddress!)
                        }
                    }
                }
            }
            var expected = [S](repeating: 1, count: 12)
            for r in 0..<4 { for c in 0..<3 { expected[r * 3 + c] += (a[r] - b[r]) * w[c] } }
            #expect(z == expected)
            #expect(z[0..<3] == [1, 1, 1] && z[6..<9] == [1, 1, 1])  // rows with a = b untouched
        }
        run(Float.self)
        run(Double.self)
    }
}
