import Testing
@testable import TensorCore

struct TensorTests {
    @Test(arguments: [Float.self, Double.self] as [any TensorScalar.Type])
    func constructionIndexingReshape(_ type: any TensorScalar.Type) {
        func run<S: TensorScalar>(_: S.Type) {
            var t = Tensor<S>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
            #expect(t[1, 2] == 6)
            #expect(t.offset(of: [1, 0]) == 3)
            t[0, 1] = 9
            #expect(t.scalars == [1, 9, 3, 4, 5, 6])
            #expect(t.reshaped(to: [3, 2])[2, 1] == 6)
            #expect(Tensor<S>(zeros: [2, 2]).scalars == [0, 0, 0, 0])
            #expect(Tensor<S>(ones: [3]).sum() == 3)
            #expect(Tensor<S>(repeating: 2.5, shape: [2]).scalars == [2.5, 2.5])
            #expect(Tensor<S>(rows: [[1, 2], [3, 4]]).shape == [2, 2])
            #expect(t.row(1).scalars == [4, 5, 6])
            #expect(Tensor<Double>(t).scalars == [1, 9, 3, 4, 5, 6])
        }
        run(type)
    }

    @Test(arguments: [Float.self, Double.self] as [any TensorScalar.Type])
    func transpose(_ type: any TensorScalar.Type) {
        func run<S: TensorScalar>(_: S.Type) {
            var rng = PRNG(seed: 1)
            for (m, n) in [(1, 1), (3, 5), (33, 70), (64, 31)] {
                let a = Tensor<S>.uniform(shape: [m, n], using: &rng)
                let t = a.transposed()
                #expect(t.shape == [n, m])
                for i in 0..<m { for j in 0..<n { #expect(t[j, i] == a[i, j]) } }
                #expect(t.transposed() == a)
            }
        }
        run(type)
    }

    @Test(arguments: [Float.self, Double.self] as [any TensorScalar.Type])
    func arithmeticAndBroadcasting(_ type: any TensorScalar.Type) {
        func run<S: TensorScalar>(_: S.Type) {
            let a = Tensor<S>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
            let b = Tensor<S>(shape: [2, 3], scalars: [6, 5, 4, 3, 2, 1])
            #expect((a + b).scalars == [7, 7, 7, 7, 7, 7])
            #expect((a - b).scalars == [-5, -3, -1, 1, 3, 5])
            #expect((a * b).scalars == [6, 10, 12, 12, 10, 6])
            #expect((a / b).scalars[5] == 6)
            #expect((a * 2).scalars == [2, 4, 6, 8, 10, 12])
            #expect((2 * a).scalars == (a * 2).scalars)
            #expect((a + 1).scalars == [2, 3, 4, 5, 6, 7])
            #expect((-a).scalars == [-1, -2, -3, -4, -5, -6])
            let row = Tensor<S>([10, 20, 30])
            #expect(a.adding(rowVector: row).scalars == [11, 22, 33, 14, 25, 36])
            #expect(a.subtracting(rowVector: row).scalars == [-9, -18, -27, -6, -15, -24])
            #expect(a.multiplying(rowVector: row).scalars == [10, 40, 90, 40, 100, 180])
            #expect(a.multiplying(columnVector: Tensor<S>([1, -1])).scalars == [1, 2, 3, -4, -5, -6])
            var c = a
            c += b; #expect(c.scalars == [7, 7, 7, 7, 7, 7])
            c.add(a, scaledBy: -1); #expect(c == b)
        }
        run(type)
    }

    @Test(arguments: [Float.self, Double.self] as [any TensorScalar.Type])
    func unaryMaps(_ type: any TensorScalar.Type) {
        func run<S: TensorScalar>(_: S.Type) {
            let x = Tensor<S>([-800, -1, 0, 1, 800])
            let s = x.sigmoid()
            #expect(s.isFinite)
            #expect(s.scalars[2] == 0.5)
            #expect(s.scalars[0] == 0 && s.scalars[4] == 1)
            #expect(abs(Double(s.scalars[3]) - 1 / (1 + Double.exp(-1))) < 1e-6)
            #expect(x.relu().scalars == [0, 0, 0, 1, 800])
            #expect(Tensor<S>([0]).exp().scalars == [1])
            #expect(Tensor<S>([1]).log().scalars == [0])
            #expect(Tensor<S>([4, 9]).squareRoot().scalars == [2, 3])
            #expect(Tensor<S>([-2, 3]).abs().scalars == [2, 3])
            #expect(Tensor<S>([0]).tanh().scalars == [0])
        }
        run(type)
    }

    @Test(arguments: [Float.self, Double.self] as [any TensorScalar.Type])
    func reductions(_ type: any TensorScalar.Type) {
        func run<S: TensorScalar>(_: S.Type) {
            let a = Tensor<S>(shape: [2, 3], scalars: [1, 7, 3, 4, 5, 6])
            #expect(a.sum() == 26)
            #expect(a.mean() == S(26) / S(6))
            #expect(a.max() == 7 && a.min() == 1)
            #expect(a.argmax() == 1)
            #expect(a.sum(alongAxis: 0).scalars == [5, 12, 9])
            #expect(a.sum(alongAxis: 1).scalars == [11, 15])
            #expect(a.mean(alongAxis: 0).scalars == [2.5, 6, 4.5])
            #expect(a.max(alongAxis: 0).scalars == [4, 7, 6])
            #expect(a.max(alongAxis: 1).scalars == [7, 6])
            #expect(a.argmax(alongAxis: 1) == [1, 2])
            #expect(a.argmax(alongAxis: 0) == [1, 0, 1])
        }
        run(type)
    }

    @Test(arguments: [Float.self, Double.self] as [any TensorScalar.Type])
    func normsAndApproximateEquality(_ type: any TensorScalar.Type) {
        func run<S: TensorScalar>(_: S.Type) {
            #expect(Tensor<S>([3, 4]).norm() == 5)
            #expect(Tensor<S>([0, 0]).norm() == 0)
            // Scaled so that squaring does not overflow.
            let big = Tensor<S>([S.greatestFiniteMagnitude / 2, S.greatestFiniteMagnitude / 2])
            #expect(big.norm().isFinite || S.self == Double.self)
            #expect(Tensor<S>([-5, 2]).maxAbs() == 5)
            let a = Tensor<S>([1, 100])
            #expect(a.isApproximatelyEqual(to: Tensor<S>([1.000001, 100.0001]), rtol: 1e-5, atol: 0))
            #expect(!a.isApproximatelyEqual(to: Tensor<S>([1.1, 100]), rtol: 1e-5, atol: 0))
            #expect(!Tensor<S>([.nan]).isApproximatelyEqual(to: Tensor<S>([.nan])))
            #expect(!Tensor<S>([1, .infinity]).isFinite)
        }
        run(type)
    }

    @Test func flattenAndUnflattenRoundTrip() {
        let a = Tensor<Double>(shape: [2, 2], scalars: [1, 2, 3, 4])
        let b = Tensor<Double>([5, 6, 7])
        let v = ParameterVector.flatten([a, b])
        #expect(v == [1, 2, 3, 4, 5, 6, 7])
        let back = ParameterVector.unflatten(v, shapes: [[2, 2], [3]])
        #expect(back == [a, b])
    }

    @Test(arguments: [Float.self, Double.self] as [any TensorScalar.Type])
    func matmulOnTensors(_ type: any TensorScalar.Type) {
        func run<S: TensorScalar>(_: S.Type) {
            let a = Tensor<S>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
            let b = Tensor<S>(shape: [3, 2], scalars: [7, 8, 9, 10, 11, 12])
            #expect(Tensor.matmul(a, b).scalars == [58, 64, 139, 154])
            #expect(Tensor.matmul(a, .none, a, .transposed).scalars == [14, 32, 32, 77])
            #expect(Tensor.matmul(a, .transposed, a, .none).shape == [3, 3])
            var c = Tensor<S>(ones: [2, 2])
            Tensor.matmul(a, .none, b, .none, into: &c, alpha: 2, beta: 1)
            #expect(c.scalars == [117, 129, 279, 309])
        }
        run(type)
    }
}
