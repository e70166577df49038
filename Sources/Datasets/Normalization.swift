/// How pixel values are prepared for training.
public enum Normalization: String, Sendable, CaseIterable, Codable {
    /// Values as stored: 0...16 for digits, 0...255 for IDX.
    case raw
    /// Divided by the format's full-intensity value, so they lie in [0, 1].
    case unitInterval = "unit"
    /// Scaled to [0, 1], then each feature standardised with the training set's mean and standard
    /// deviation (``FeatureStandardizer``); the test set uses the training statistics.
    case standardized = "standard"
}

extension LabeledImages {
    /// Every value divided by ``maxPixelValue``, so pixels lie in [0, 1]; `maxPixelValue` becomes 1.
    public func scaledToUnitInterval() -> LabeledImages {
        var scaled = self
        let scale = maxPixelValue
        scaled.images = images.map { $0 / scale }
        scaled.maxPixelValue = 1
        return scaled
    }
}

extension DatasetSplit {
    /// Both sets prepared as `normalization` says; standardisation is fitted on `train` only.
    public func normalized(_ normalization: Normalization) -> DatasetSplit {
        switch normalization {
        case .raw:
            return self
        case .unitInterval:
            return DatasetSplit(
                train: train.scaledToUnitInterval(), test: test.scaledToUnitInterval(),
                attribution: attribution)
        case .standardized:
            let train = train.scaledToUnitInterval()
            let standardizer = FeatureStandardizer(fitting: train)
            return DatasetSplit(
                train: standardizer.apply(to: train),
                test: standardizer.apply(to: test.scaledToUnitInterval()),
                attribution: attribution)
        }
    }
}
