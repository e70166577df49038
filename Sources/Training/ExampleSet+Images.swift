import Datasets
import TensorCore

extension ExampleSet {
    /// The first `limit` images (all when nil) of a data set as examples: inputs of shape
    /// `[n, featureCount]` (each image flattened in row-major order, pixels converted to
    /// `Scalar`), targets the class labels.
    public init(_ images: LabeledImages, limit: Int? = nil) {
        let n = Swift.min(images.count, Swift.max(0, limit ?? images.count))
        let pixels = images.images.prefix(n * images.featureCount)
        let values: [Scalar] = Scalar.self == Float.self ? Array(pixels) as! [Scalar] : pixels.map { Scalar($0) }
        self.init(
            name: images.name, inputs: Tensor(shape: [n, images.featureCount], scalars: values),
            targets: .classes(Array(images.labels.prefix(n))))
    }
}
