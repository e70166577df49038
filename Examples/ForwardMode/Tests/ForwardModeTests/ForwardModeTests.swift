import _Differentiation
import Foundation
import GradScopeTesting
import XCTest

// XCTest, not Swift Testing: under the forward-mode flag, this compiler rejects the @Test
// macro's expansion ("'@const' value should be initialized with a compile-time value").

#if GRADSCOPE_FORWARD_MODE

/// softplus(x) = log(1 + eˣ) with registered derivatives in both modes: d softplus = σ(x)·dx.
/// Under the forward-mode flag a function needs both a `differential:` and a `pullback:`
/// registration (either alone fails to compile: the compiler then tries to differentiate the
/// body for the other mode and cannot).
func softplus(_ x: Double) -> Double { log(1 + exp(x)) }
@derivative(of: softplus)
func softplusJVP(_ x: Double) -> (value: Double, differential: (Double) -> Double) {
    (softplus(x), { dx in dx / (1 + exp(-x)) })
}
@derivative(of: softplus)
func softplusVJP(_ x: Double) -> (value: Double, pullback: (Double) -> Double) {
    (softplus(x), { v in v / (1 + exp(-x)) })
}

/// The same function with a differential that uses σ(−x) instead of σ(x); its pullback is
/// right, so only forward mode is wrong.
func softplusWrong(_ x: Double) -> Double { log(1 + exp(x)) }
@derivative(of: softplusWrong)
func softplusWrongJVP(_ x: Double) -> (value: Double, differential: (Double) -> Double) {
    (softplusWrong(x), { dx in dx / (1 + exp(x)) })   // wrong: σ(−x)
}
@derivative(of: softplusWrong)
func softplusWrongVJP(_ x: Double) -> (value: Double, pullback: (Double) -> Double) {
    (softplusWrong(x), { v in v / (1 + exp(-x)) })
}

/// Two numbers in a struct: field access is differentiated by the compiler itself. (The
/// standard library's SIMD accessors and operations, and `Array`'s subscript, have no
/// forward-mode derivatives in Swift 6.3: "cannot differentiate functions that have not been
/// marked '@differentiable' and that are defined in other files".)
struct Point: Differentiable, CheckableStruct {
    var x: Double
    var y: Double
    static var checkFields: [CheckField<Point>] {
        [CheckField("x", \.x, tangent: \.x), CheckField("y", \.y, tangent: \.y)]
    }
}

final class ForwardModeTests: XCTestCase {
    func testStraightLineCodePasses() {
        let report = checkDifferential(of: { (p: Point) in p.x * p.x * sin(p.y) + exp(p.x * p.y) }, at: Point(x: 0.5, y: -1.25))
        XCTAssertPasses(report)
        XCTAssertEqual(report.blocks.map(\.name), ["x", "y"])
    }

    func testRegisteredDifferentialPasses() {
        XCTAssertPasses(checkDifferential(of: { (x: Double) in softplus(x) * x }, at: 0.7))
    }

    func testWrongDifferentialFailsInItsBlock() {
        let f: @Sendable @differentiable(reverse) (Point) -> Double = { p in softplusWrong(p.x) + p.y * p.y }
        let forward = checkDifferential(of: f, at: Point(x: 0.7, y: -0.4))
        XCTAssertEqual(forward.verdict, .fail)
        XCTAssertEqual(forward.blocks.map(\.verdict), [.fail, .pass])
        XCTAssertPasses(checkGradient(of: f, at: Point(x: 0.7, y: -0.4)))   // reverse mode is right
    }

    /// Forward and reverse mode agree where both work.
    func testAgreesWithReverseMode() {
        let f: @Sendable @differentiable(reverse) (Point) -> Double = { p in p.x * p.y * exp(p.y) }
        let forward = checkDifferential(of: f, at: Point(x: 0.3, y: 0.8))
        let reverse = checkGradient(of: f, at: Point(x: 0.3, y: 0.8))
        XCTAssertPasses(forward)
        XCTAssertPasses(reverse)
        for (a, b) in zip(forward.entries, reverse.entries) {
            XCTAssertEqual(a.analytic, b.analytic, accuracy: 1e-12 * abs(b.analytic))
        }
    }
}

#else

final class ForwardModeTests: XCTestCase {
    func testForwardModeNeedsTheExperimentalFlag() throws {
        throw XCTSkip("forward mode needs: swift test -Xswiftc -Xfrontend -Xswiftc -enable-experimental-forward-mode-differentiation -Xswiftc -DGRADSCOPE_FORWARD_MODE")
    }
}

#endif
