import _Differentiation
import DifferentiableCheck
import GradCheck
import Testing

/// Flattening and unflattening round-trip, and block names nest.
struct LayoutTests {
    struct Outer: Differentiable, CheckableStruct {
        var inner: Affine
        var scale: Float
        static var checkFields: [CheckField<Outer>] {
            [CheckField("inner", \.inner, tangent: \.inner), CheckField("scale", \.scale, tangent: \.scale)]
        }
    }

    @Test func nestedStructNamesAndRoundTrip() {
        let o = Outer(inner: Affine(outputs: 2, inputs: 3), scale: 1.5)
        #expect(o.checkLayout.map(\.name) == ["inner.weight", "inner.bias", "scale"])
        #expect(
            o.objectiveBlocks(rootName: "model").map(\.name) == [
                "model.inner.weight", "model.inner.bias", "model.scale"
            ])
        #expect(o.checkPrecision == .float32)
        let scalars = o.checkScalars.map { $0 + 1 }
        #expect(o.replacingCheckScalars(scalars[...]).checkScalars == scalars)
        let t = o.checkTangent(scalars[...])
        #expect(o.checkScalars(ofTangent: t) == scalars)
    }

    @Test func simdAndArrayRoundTrip() {
        let v = SIMD8<Float>(repeating: 0.5)
        #expect(v.checkLayout == [BlockLayout(name: "", shape: [8])])
        #expect(v.replacingCheckScalars(Array(repeating: 2.0, count: 8)[...]) == SIMD8(repeating: 2))
        let a: [Double] = [1, 2, 3]
        #expect(a.checkScalars(ofTangent: .zero) == [0, 0, 0])
    }
}
