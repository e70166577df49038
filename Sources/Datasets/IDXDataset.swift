import Foundation

/// MNIST-style datasets: a folder with the four standard IDX files (gzip or raw).
public enum IDXDataset {
    /// The standard file names without extension: training images and labels, test images and labels.
    public static let trainImagesStem = "train-images-idx3-ubyte"
    public static let trainLabelsStem = "train-labels-idx1-ubyte"
    public static let testImagesStem = "t10k-images-idx3-ubyte"
    public static let testLabelsStem = "t10k-labels-idx1-ubyte"
    public static let maxPixelValue: Float = 255

    /// Loads the training files as `train` and the `t10k` files as `test`.
    /// - Parameters:
    ///   - name: the dataset's name in reports (the sides are `name/train` and `name/test`).
    ///   - hint: appended to "not found" errors, saying how to get the files.
    public static func load(
        directory: String, name: String, attribution: String, classes: Int = 10,
        hint: String
    ) throws(DatasetError) -> DatasetSplit {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .missing(path: directory, hint: hint)
        }
        guard access(directory, R_OK | X_OK) == 0 else {
            throw .unreadable(file: directory, reason: String(cString: strerror(errno)).lowercased())
        }
        let trainImages = try locate(trainImagesStem, in: directory, hint: hint)
        let trainLabels = try locate(trainLabelsStem, in: directory, hint: hint)
        let testImages = try locate(testImagesStem, in: directory, hint: hint)
        let testLabels = try locate(testLabelsStem, in: directory, hint: hint)
        let train = try loadImages(
            imagesPath: trainImages, labelsPath: trainLabels, name: name + "/train", classes: classes)
        let test = try loadImages(
            imagesPath: testImages, labelsPath: testLabels, name: name + "/test", classes: classes)
        guard train.imageShape == test.imageShape else {
            throw .shapeMismatch(
                trainFile: fileName(trainImages), trainShape: train.imageShape,
                testFile: fileName(testImages), testShape: test.imageShape)
        }
        return DatasetSplit(train: train, test: test, attribution: attribution)
    }

    /// Loads a rank-3 images file (count × rows × columns) and a rank-1 labels file of the same count,
    /// each label in `0..<classes`; pixels stay 0...255.
    public static func loadImages(
        imagesPath: String, labelsPath: String, name: String,
        classes: Int = 10
    ) throws(DatasetError) -> LabeledImages {
        let images = try IDX.read(path: imagesPath, rank: 3)
        let labels = try IDX.read(path: labelsPath, rank: 1)
        guard images.dimensions[0] == labels.dimensions[0] else {
            throw .countMismatch(
                imagesFile: fileName(imagesPath), images: images.dimensions[0],
                labelsFile: fileName(labelsPath), labels: labels.dimensions[0])
        }
        let labelsHeaderSize = 8
        if let index = labels.bytes.firstIndex(where: { Int($0) >= classes }) {
            throw .labelOutOfRange(
                file: fileName(labelsPath), label: Int(labels.bytes[index]),
                offset: labelsHeaderSize + index, classes: classes)
        }
        return LabeledImages(
            name: name, images: images.bytes.map(Float.init), labels: labels.bytes.map(Int.init),
            imageShape: Array(images.dimensions.dropFirst()), classes: classes,
            maxPixelValue: maxPixelValue)
    }

    /// The path of `stem` in `directory`: `stem.gz`, `stem`, or the same with the first `-idx`
    /// written `.idx` (`train-images.idx3-ubyte`, as some mirrors name them).
    static func locate(_ stem: String, in directory: String, hint: String) throws(DatasetError) -> String {
        let dotted = stem.replacingOccurrences(of: "-idx", with: ".idx")
        for candidate in [stem + ".gz", stem, dotted + ".gz", dotted] {
            let path = (directory as NSString).appendingPathComponent(candidate)
            if FileManager.default.fileExists(atPath: path) { return path }
        }
        throw .missing(path: (directory as NSString).appendingPathComponent(stem + "[.gz]"), hint: hint)
    }

    static func fileName(_ path: String) -> String {
        (path as NSString).lastPathComponent
    }
}
