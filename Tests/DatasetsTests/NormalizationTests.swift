import Testing
@testable import Datasets

@Suite("Normalisation")
struct NormalizationTests {
    static func tiny(_ values: [Float], name: String = "t") -> LabeledImages {
        LabeledImages(
            name: name, images: values, labels: Array(repeating: 0, count: values.count / 2),
            imageShape: [1, 2], classes: 1, maxPixelValue: 16)
    }

    @Test func scalesByTheFormatMaximum() {
        let scaled = Self.tiny([0, 16, 8, 4]).scaledToUnitInterval()
        #expect(scaled.images == [0, 1, 0.5, 0.25])
        #expect(scaled.maxPixelValue == 1)
    }

    @Test func standardisesWithTrainingStatistics() {
        // Feature 0: 0, 8, 16 → mean 0.5, σ = √(1/6) after scaling; feature 1 constant → centred only.
        let split = DatasetSplit(train: Self.tiny([0, 4, 8, 4, 16, 4]), test: Self.tiny([8, 0]), attribution: "")
        let standardized = split.normalized(.standardized)
        let sigma = Float(1.0 / 6.0).squareRoot()
        let expected: [Float] = [-0.5 / sigma, 0, 0, 0, 0.5 / sigma, 0]
        #expect(zip(standardized.train.images, expected).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(standardized.test.images == [0, -0.25])
        #expect(split.normalized(.raw) == split)
        #expect(split.normalized(.unitInterval).test.images == [0.5, 0])
    }

    @Test func standardizerReportsItsStatistics() {
        let standardizer = FeatureStandardizer(fitting: Self.tiny([0, 4, 8, 4, 16, 4]).scaledToUnitInterval())
        #expect(standardizer.means == [0.5, 0.25])
        #expect(standardizer.standardDeviations[1] == 1)
        #expect(abs(standardizer.standardDeviations[0] - Float(1.0 / 6.0).squareRoot()) < 1e-7)
    }

    @Test func parsesNormalizationNames() {
        #expect(Normalization(rawValue: "standard") == .standardized)
        #expect(Normalization.allCases.map(\.rawValue) == ["raw", "unit", "standard"])
    }
}
