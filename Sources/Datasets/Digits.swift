import Foundation

/// The bundled UCI "Optical Recognition of Handwritten Digits" test set: 1,797 images of 8 × 8
/// pixels with values 0...16 and labels 0...9 (`Resources/digits.csv.gz`, see DIGITS-LICENSE.md).
///
/// CSV format: one row per image, 64 pixel values in row-major order, then the label; no header.
public enum Digits {
    public static let attribution =
        "UCI Optical Recognition of Handwritten Digits (E. Alpaydin and C. Kaynak, 1998), CC BY 4.0; test-set copy shipped by scikit-learn"
    public static let imageShape = [8, 8]
    public static let classes = 10
    public static let maxPixelValue: Float = 16
    /// The size of the fixed test set: 360 of 1,797 images (20 %), leaving 1,437 for training.
    public static let testCount = 360
    /// The seed of the fixed stratified split.
    public static let splitSeed: UInt64 = 1998
    static let resourceName = "digits.csv.gz"

    /// All 1,797 bundled images, in file order.
    public static func load() throws(DatasetError) -> LabeledImages {
        guard let url = Bundle.module.url(forResource: "digits.csv", withExtension: "gz") else {
            throw .missing(path: resourceName, hint: "the Datasets resource bundle is incomplete; rebuild the package")
        }
        let compressed = try readBytes(path: url.path)
        return try parse(csv: Gzip.decompress(compressed, file: resourceName), file: resourceName)
    }

    /// The attribution and licence file bundled beside the data (DIGITS-LICENSE.md), for `--about`
    /// screens and reports; `nil` if the resource bundle lacks it.
    public static func licenseText() -> String? {
        Bundle.module.url(forResource: "DIGITS-LICENSE", withExtension: "md")
            .flatMap { try? String(contentsOf: $0, encoding: .utf8) }
    }

    /// The fixed split: ``StratifiedSplit`` with ``testCount`` test images and ``splitSeed``, giving
    /// 1,437 training and 360 test images, pixels as stored (0...16).
    public static func split() throws(DatasetError) -> DatasetSplit {
        try load().stratifiedSplit(testCount: testCount, seed: splitSeed, attribution: attribution)
    }

    /// Parses digits CSV text (UTF-8): every row must have 64 integer pixels in 0...16 and an integer
    /// label in 0..<10.
    public static func parse(csv bytes: [UInt8], file: String) throws(DatasetError) -> LabeledImages {
        guard let text = String(bytes: bytes, encoding: .utf8) else {
            throw .csv(file: file, line: 1, column: 1, reason: "the file is not UTF-8 text")
        }
        let records = try CSVRecords(text: text, file: file)
        let features = imageShape.reduce(1, *)
        var images: [Float] = []
        var labels: [Int] = []
        images.reserveCapacity(records.fields.count * features)
        labels.reserveCapacity(records.fields.count)
        for (lineIndex, record) in records.fields.enumerated() {
            let line = lineIndex + 1
            guard record.count == features + 1 else {
                throw .csv(
                    file: file, line: line, column: min(record.count, features + 1) + 1,
                    reason: "expected \(features + 1) fields (64 pixels and a label), found \(record.count)")
            }
            for column in 0..<features {
                guard let value = Int(record[column]), (0...16).contains(value) else {
                    throw .csv(
                        file: file, line: line, column: column + 1,
                        reason: "pixel '\(record[column])' is not an integer in 0...16")
                }
                images.append(Float(value))
            }
            guard let label = Int(record[features]), (0..<classes).contains(label) else {
                throw .csv(
                    file: file, line: line, column: features + 1,
                    reason: "label '\(record[features])' is not an integer in 0..<\(classes)")
            }
            labels.append(label)
        }
        guard !labels.isEmpty else { throw .csv(file: file, line: 1, column: 1, reason: "no images") }
        return LabeledImages(
            name: "digits", images: images, labels: labels, imageShape: imageShape,
            classes: classes, maxPixelValue: maxPixelValue)
    }
}
