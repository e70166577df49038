import _Differentiation
import DifferentiableCheck
import GradCheck
import Testing

/// A class with a synthesized `Differentiable` conformance: Swift 6.3 returns wrong gradients
/// for it, with no error (3v for v·v, 7v² for v³). The same fields in a struct are right.
final class Box: Differentiable, CheckableDifferentiable, @unchecked Sendable {
    var v: Double
    init(v: Double) { self.v = v }

    var checkLayout: [BlockLayout] { [BlockLayout(name: "v", shape: [1])] }
    var checkScalars: [Double] { [v] }
    func replacingCheckScalars(_ s: ArraySlice<Double>) -> Box { Box(v: s[s.startIndex]) }
    func checkScalars(ofTangent t: TangentVector) -> [Double] { [t.v] }
    func checkTangent(_ s: ArraySlice<Double>) -> TangentVector { TangentVector(v: s[s.startIndex]) }
    var checkPrecision: Precision { .float64 }
}

struct ValueBox: Differentiable, CheckableStruct {
    var v: Double
    static var checkFields: [CheckField<ValueBox>] { [CheckField("v", \.v, tangent: \.v)] }
}

struct CompilerBugTests {
    @Test func classGradientOfSquareIsCaught() {
        let report = checkGradient(of: { (b: Box) in b.v * b.v }, at: Box(v: 3))
        #expect(report.verdict == .fail, "the compiler's class bug seems fixed: \(report.entries[0].analytic)")
        #expect(report.entries[0].analytic == 9)  // 3v, not 2v = 6
        #expect(abs(report.entries[0].numeric - 6) < 1e-9)
        #expect(report.blocks[0].diagnosis.contains { $0.code == .scale && $0.message.contains("1.5") })
    }

    @Test func classGradientOfCubeIsCaught() {
        let report = checkGradient(of: { (b: Box) in b.v * b.v * b.v }, at: Box(v: 2))
        #expect(report.verdict == .fail)
        #expect(report.entries[0].analytic == 28)  // 7v², not 3v² = 12
    }

    @Test func structGradientIsRight() {
        #expect(checkGradient(of: { (b: ValueBox) in b.v * b.v * b.v }, at: ValueBox(v: 2)).passed)
    }
}
