import Foundation
import Testing
@testable import Datasets

@Suite("MNIST-style folders")
struct IDXDatasetTests {
    @Test(arguments: [false, true])
    func loadsAFolder(compressed: Bool) throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try writeMNISTFolder(folder, compressed: compressed)
        let split = try DataSource(parsing: "mnist:" + folder.path).load()
        #expect(split.train.count == 12)
        #expect(split.test.count == 5)
        #expect(split.train.imageShape == [4, 3])
        #expect(split.train.maxPixelValue == 255)
        #expect(split.train.labels == (0..<12).map { $0 % 10 })
        #expect(Array(split.test.image(1)) == [1, 4, 7, 8, 11, 14, 15, 18, 21, 22, 25, 28])
    }

    @Test func acceptsDottedNames() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try writeMNISTFolder(folder, compressed: false)
        try FileManager.default.moveItem(
            atPath: folder.file("train-images-idx3-ubyte"),
            toPath: folder.file("train-images.idx3-ubyte"))
        #expect(try DataSource.idxDirectory(folder.path).load().train.count == 12)
    }

    @Test func rejectsLabelsOutOfRange() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try writeMNISTFolder(folder, compressed: true)
        try IDX.write(
            IDXArray(dimensions: [5], bytes: [0, 1, 10, 3, 4]), to: folder.file("t10k-labels-idx1-ubyte.gz"),
            compressed: true)
        expectError(
            .labelOutOfRange(file: "t10k-labels-idx1-ubyte.gz", label: 10, offset: 10, classes: 10),
            message: "t10k-labels-idx1-ubyte.gz: label 10 at byte offset 10 is out of range 0..<10"
        ) {
            _ = try DataSource.idxDirectory(folder.path).load()
        }
    }

    @Test func rejectsImageAndLabelCountsThatDiffer() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try writeMNISTFolder(folder, compressed: false)
        try IDX.write(
            IDXArray(dimensions: [4], bytes: [0, 1, 2, 3]), to: folder.file("t10k-labels-idx1-ubyte"), compressed: false
        )
        expectError(
            .countMismatch(
                imagesFile: "t10k-images-idx3-ubyte", images: 5, labelsFile: "t10k-labels-idx1-ubyte", labels: 4),
            message:
                "t10k-labels-idx1-ubyte: 4 labels (dimension 0 at byte offset 4) but t10k-images-idx3-ubyte has 5 images"
        ) {
            _ = try DataSource.idxDirectory(folder.path).load()
        }
    }

    @Test func rejectsTrainAndTestShapesThatDiffer() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try writeMNISTFolder(folder, compressed: false)
        try IDX.write(
            syntheticImages(count: 5, rows: 3, columns: 4).images, to: folder.file("t10k-images-idx3-ubyte"),
            compressed: false)
        expectError(
            .shapeMismatch(
                trainFile: "train-images-idx3-ubyte", trainShape: [4, 3], testFile: "t10k-images-idx3-ubyte",
                testShape: [3, 4]),
            message:
                "t10k-images-idx3-ubyte: images of 3×4 (dimensions at byte offset 8) but train-images-idx3-ubyte has 4×3"
        ) {
            _ = try DataSource.idxDirectory(folder.path).load()
        }
    }

    @Test func namesTheMissingFileAndHowToGetIt() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try writeMNISTFolder(folder, compressed: true)
        try FileManager.default.removeItem(atPath: folder.file("t10k-images-idx3-ubyte.gz"))
        let path = folder.file("t10k-images-idx3-ubyte[.gz]")
        expectError(
            .missing(path: path, hint: DataSource.idxHint),
            message:
                "\(path): not found; the folder needs train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (each raw or .gz), e.g. the MNIST files"
        ) {
            _ = try DataSource.idxDirectory(folder.path).load()
        }
        expectError(
            .missing(path: "/nonexistent/fashion", hint: DataSource.fashionMNISTHint),
            message: "/nonexistent/fashion: not found; install it with: apt-get install dataset-fashion-mnist"
        ) {
            _ = try IDXDataset.load(
                directory: "/nonexistent/fashion", name: "f", attribution: "", hint: DataSource.fashionMNISTHint)
        }
    }

    @Test(
        .enabled(
            if: FileManager.default.fileExists(atPath: DataSource.fashionMNISTDirectory),
            "needs Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist)"),
        .timeLimit(.minutes(2)))
    func loadsFashionMNIST() throws {
        let split = try DataSource.fashionMNIST.load()
        #expect(split.train.count == 60_000)
        #expect(split.test.count == 10_000)
        #expect(split.train.imageShape == [28, 28])
        #expect(split.train.classCounts == Array(repeating: 6_000, count: 10))
        #expect(split.test.classCounts == Array(repeating: 1_000, count: 10))
        #expect(split.attribution.contains("MIT"))
    }
}

@Suite("--data parsing")
struct DataSourceParsingTests {
    @Test(arguments: [
        ("digits", DataSource.digits),
        ("Digits", .digits),
        ("fashion-mnist", .fashionMNIST),
        ("mnist:/data/mnist", .idxDirectory("/data/mnist")),
        ("idx:relative/dir", .idxDirectory("relative/dir")),
        ("IDX:/a:b", .idxDirectory("/a:b"))
    ])
    func parses(argument: String, expected: DataSource) throws {
        #expect(try DataSource(parsing: argument) == expected)
    }

    @Test func expandsTilde() throws {
        #expect(try DataSource(parsing: "mnist:~/mnist") == .idxDirectory(NSHomeDirectory() + "/mnist"))
    }

    @Test(arguments: ["", "mnist", "mnist:", "cifar", "fashion", "file:/x"])
    func rejects(argument: String) {
        expectError(
            .unknownSource(argument: argument),
            message: "'\(argument)': unknown data source; expected digits, fashion-mnist, mnist:DIR or idx:DIR"
        ) {
            _ = try DataSource(parsing: argument)
        }
    }

    @Test func describesItselfAsAnArgument() throws {
        for argument in ["digits", "fashion-mnist", "idx:/x/y"] {
            #expect(try DataSource(parsing: argument).description == argument)
        }
    }
}
