/// Per-feature standardisation z = (x − μ) / σ with statistics of a training set.
///
/// μ is the mean and σ the population standard deviation (divisor n), both computed in Double in
/// two passes (mean first, then squared deviations) to avoid cancellation.
/// Features with σ < ``minimumStandardDeviation`` (e.g. border pixels that are always 0) are only
/// centred: their σ is taken as 1, as scikit-learn's `StandardScaler` does for zero variance.
public struct FeatureStandardizer: Sendable, Equatable {
    public static let minimumStandardDeviation: Float = 1e-6

    public var means: [Float]
    /// The divisors applied: σ, or 1 where σ is below ``minimumStandardDeviation``.
    public var standardDeviations: [Float]

    /// Fits the statistics of `data`, which must hold at least one image.
    public init(fitting data: LabeledImages) {
        precondition(data.count > 0, "cannot fit a standardizer on no images")
        let features = data.featureCount
        let n = Double(data.count)
        var sums = [Double](repeating: 0, count: features)
        for (index, value) in data.images.enumerated() { sums[index % features] += Double(value) }
        let meanValues = sums.map { $0 / n }
        var squaredDeviations = [Double](repeating: 0, count: features)
        for (index, value) in data.images.enumerated() {
            let deviation = Double(value) - meanValues[index % features]
            squaredDeviations[index % features] += deviation * deviation
        }
        means = meanValues.map { Float($0) }
        standardDeviations = squaredDeviations.map {
            let deviation = Float(($0 / n).squareRoot())
            return deviation < Self.minimumStandardDeviation ? 1 : deviation
        }
    }

    /// `data` with every feature standardised.
    public func apply(to data: LabeledImages) -> LabeledImages {
        precondition(
            data.featureCount == means.count,
            "standardizer fitted on \(means.count) features, data has \(data.featureCount)")
        var result = data
        let features = means.count
        for index in result.images.indices {
            let feature = index % features
            result.images[index] = (result.images[index] - means[feature]) / standardDeviations[feature]
        }
        return result
    }
}
