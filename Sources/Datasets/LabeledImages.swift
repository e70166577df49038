/// Images with class labels, stored row-major: image `i` is
/// `images[i * featureCount ..< (i + 1) * featureCount]`, its label `labels[i]` in `0..<classes`.
public struct LabeledImages: Sendable, Equatable {
    /// A short name for reports, e.g. `digits/train`.
    public var name: String
    /// `count × featureCount` pixel values, row-major.
    public var images: [Float]
    /// One label in `0..<classes` per image.
    public var labels: [Int]
    /// `[rows, columns]` or `[channels, rows, columns]`.
    public var imageShape: [Int]
    /// The number of classes.
    public var classes: Int
    /// The value of a full-intensity pixel in `images`: 16 for digits, 255 for IDX, 1 once scaled.
    public var maxPixelValue: Float

    /// The number of images.
    public var count: Int { labels.count }
    /// The number of values per image, the product of `imageShape`.
    public var featureCount: Int { imageShape.reduce(1, *) }

    public init(name: String, images: [Float], labels: [Int], imageShape: [Int], classes: Int, maxPixelValue: Float) {
        let features = imageShape.reduce(1, *)
        precondition(!imageShape.isEmpty && features > 0, "image shape \(imageShape) must be non-empty and positive")
        precondition(
            images.count == labels.count * features,
            "\(labels.count) labels × \(features) features need \(labels.count * features) values, got \(images.count)")
        precondition(labels.allSatisfy { (0..<classes).contains($0) }, "labels must be in 0..<\(classes)")
        self.name = name
        self.images = images
        self.labels = labels
        self.imageShape = imageShape
        self.classes = classes
        self.maxPixelValue = maxPixelValue
    }

    /// The pixels of image `index`.
    public func image(_ index: Int) -> ArraySlice<Float> {
        precondition((0..<count).contains(index), "image index \(index) out of range 0..<\(count)")
        return images[index * featureCount..<(index + 1) * featureCount]
    }

    /// The images at `indices`, in that order (a minibatch, or one side of a split).
    public func subset(_ indices: some Sequence<Int>, name: String? = nil) -> LabeledImages {
        var pickedImages: [Float] = []
        var pickedLabels: [Int] = []
        pickedImages.reserveCapacity(indices.underestimatedCount * featureCount)
        for index in indices {
            pickedImages += image(index)
            pickedLabels.append(labels[index])
        }
        return LabeledImages(
            name: name ?? self.name, images: pickedImages, labels: pickedLabels,
            imageShape: imageShape, classes: classes, maxPixelValue: maxPixelValue)
    }

    /// How many images each class has, indexed by label.
    public var classCounts: [Int] {
        labels.reduce(into: [Int](repeating: 0, count: classes)) { $0[$1] += 1 }
    }
}

/// A training set and a test set drawn from one source, with the source's attribution.
public struct DatasetSplit: Sendable, Equatable {
    public var train: LabeledImages
    public var test: LabeledImages
    /// Who made the data and under which licence, for reports.
    public var attribution: String

    public init(train: LabeledImages, test: LabeledImages, attribution: String) {
        precondition(
            train.imageShape == test.imageShape && train.classes == test.classes,
            "train \(train.imageShape)/\(train.classes) and test \(test.imageShape)/\(test.classes) differ")
        self.train = train
        self.test = test
        self.attribution = attribution
    }
}
