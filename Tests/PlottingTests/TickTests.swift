import Testing
@testable import Plotting

@Suite("Linear ticks (Heckbert)")
struct LinearTickTests {
    @Test(arguments: [
        (0.25, true, 2, -1), (1.0, false, 1, 0), (7.0, true, 1, 1), (6.99, true, 5, 0), (3.0, false, 5, 0),
        (1.49, true, 1, 0), (1000.0, false, 1, 3), (0.001, true, 1, -3), (438.0, false, 5, 2), (125.0, true, 1, 2)
    ])
    func niceNumbers(x: Double, round: Bool, mantissa: Int, exponent: Int) {
        let nice = LinearTicks.niceNumber(x, round: round)
        #expect(nice.mantissa == mantissa && nice.exponent == exponent)
    }

    /// Heckbert's worked example (Graphics Gems, 1990): data 105…543 with 5 ticks → 100, 200, …, 600.
    @Test func heckbertsExample() {
        let ticks = LinearTicks.ticks(low: 105, high: 543, target: 5)
        #expect(ticks.major.map(\.value) == [100, 200, 300, 400, 500, 600])
        #expect(ticks.major.map(\.label) == ["100", "200", "300", "400", "500", "600"])
        #expect(ticks.domain == 100...600)
    }

    @Test func decimalTicksAreExactDecimals() {
        let ticks = LinearTicks.ticks(low: 0, high: 1, target: 5)
        #expect(ticks.major.map(\.value) == [0, 0.2, 0.4, 0.6, 0.8, 1.0])
        #expect(ticks.major.map(\.label) == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        let tenths = LinearTicks.ticks(low: 0, high: 0.7, target: 8)
        #expect(tenths.major.map(\.value) == [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7])
    }

    @Test func negativeRangesUseTheMinusSign() {
        let ticks = LinearTicks.ticks(low: -0.37, high: 0.81, target: 5)
        #expect(ticks.major.map(\.value) == [-0.5, 0, 0.5, 1])
        #expect(ticks.major.map(\.label) == ["\u{2212}0.5", "0.0", "0.5", "1.0"])
    }

    @Test func zeroWidthRangesAreWidened() {
        #expect(LinearTicks.ticks(low: 3, high: 3, target: 5).major.map(\.value) == [1, 2, 3, 4, 5])
        #expect(LinearTicks.ticks(low: 0, high: 0, target: 3).major.map(\.value) == [-1, 0, 1])
    }

    @Test func smallAndLargeStepsUseScientificLabels() {
        let small = LinearTicks.ticks(low: 0, high: 3e-5, target: 4)
        #expect(small.major.map(\.value) == [0, 2e-5, 4e-5])
        #expect(small.major.map(\.label) == ["0", "2e\u{2212}5", "4e\u{2212}5"])
        let large = LinearTicks.ticks(low: 0, high: 2.5e6, target: 3)
        #expect(large.major.map(\.label) == ["0", "2e6", "4e6"])
    }

    @Test func fixedLimitsKeepTheirDomain() {
        let ticks = LinearTicks.ticks(within: 0.05...0.95, target: 5)
        #expect(ticks.domain == 0.05...0.95)
        #expect(ticks.major.map(\.value) == [0.2, 0.4, 0.6, 0.8])
    }

    @Test func axesPickTheTickSetTheDataFillsBest() {
        // Heckbert alone gives 0, 2, 4 for three ticks; 0, 1, 2, 3 fits 0.1…2.4 better.
        #expect(LinearTicks.ticks(low: 0.1, high: 2.4, target: 3).major.map(\.value) == [0, 2, 4])
        #expect(Axis().ticks(dataExtent: 0.1...2.4, target: 3).major.map(\.value) == [0, 1, 2, 3])
    }
}

@Suite("Log ticks")
struct LogTickTests {
    @Test(arguments: [(1e-3, -3), (999.9, 2), (1000.0, 3), (1.0, 0), (0.99, -1), (2.2e-16, -16), (1e-300, -300)])
    func decades(x: Double, decade: Int) {
        #expect(LogTicks.decade(x) == decade)
    }

    @Test func decadesWithMinorTicks() {
        let ticks = LogTicks.ticks(low: 0.003, high: 0.2, maxLabels: 10)
        #expect(ticks.domain == 1e-3...1)
        #expect(ticks.major.map(\.value) == [1e-3, 1e-2, 1e-1, 1])
        #expect(ticks.major.map(\.label) == ["10⁻³", "10⁻²", "10⁻¹", "10⁰"])
        #expect(
            ticks.minor == [
                2e-3, 3e-3, 4e-3, 5e-3, 6e-3, 7e-3, 8e-3, 9e-3,
                2e-2, 3e-2, 4e-2, 5e-2, 6e-2, 7e-2, 8e-2, 9e-2,
                2e-1, 3e-1, 4e-1, 5e-1, 6e-1, 7e-1, 8e-1, 9e-1
            ])
    }

    @Test func manyDecadesLabelEveryFewth() {
        let ticks = LogTicks.ticks(low: 1e-16, high: 1, maxLabels: 5)
        #expect(ticks.major.map(\.value) == [1e-16, 1e-12, 1e-8, 1e-4, 1])
        #expect(ticks.major.map(\.label) == ["10⁻¹⁶", "10⁻¹²", "10⁻⁸", "10⁻⁴", "10⁰"])
        #expect(ticks.minor == [1e-15, 1e-14, 1e-13, 1e-11, 1e-10, 1e-9, 1e-7, 1e-6, 1e-5, 1e-3, 1e-2, 1e-1])
    }

    @Test func aRangeInsideOneDecadeSpansIt() {
        let ticks = LogTicks.ticks(low: 2, high: 3, maxLabels: 5)
        #expect(ticks.domain == 1...10)
        #expect(ticks.major.map(\.label) == ["10⁰", "10¹"])
    }

    @Test func fixedLimitsKeepTheirDomain() {
        let ticks = LogTicks.ticks(within: 2e-3...0.5, maxLabels: 10)
        #expect(ticks.domain == 2e-3...0.5)
        #expect(ticks.major.map(\.value) == [1e-2, 1e-1])
        #expect(
            ticks.minor == [
                2e-3, 3e-3, 4e-3, 5e-3, 6e-3, 7e-3, 8e-3, 9e-3,
                2e-2, 3e-2, 4e-2, 5e-2, 6e-2, 7e-2, 8e-2, 9e-2, 2e-1, 3e-1, 4e-1, 5e-1
            ])
    }

    @Test func powersOfTenUseSuperscripts() {
        #expect(NumberFormatting.powerOfTen(-8) == "10⁻⁸")
        #expect(NumberFormatting.powerOfTen(12) == "10¹²")
    }
}
