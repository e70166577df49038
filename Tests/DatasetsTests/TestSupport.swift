import Foundation
import Testing
@testable import Datasets

/// Runs `body`, expecting it to throw exactly `expected`, whose one-line description must be `message`.
func expectError(
    _ expected: DatasetError, message: String, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) {
    do {
        try body()
        Issue.record("expected \(expected), nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as DatasetError {
        #expect(error == expected, sourceLocation: sourceLocation)
        #expect(error.description == message, sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected \(expected), got \(error)", sourceLocation: sourceLocation)
    }
}

/// A fresh, empty folder under the system's temporary directory, removed by `cleanUp()`.
struct TemporaryFolder {
    let path: String

    init() throws {
        path = (NSTemporaryDirectory() as NSString).appendingPathComponent("datasets-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String {
        (path as NSString).appendingPathComponent(name)
    }

    func write(_ bytes: [UInt8], to name: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: file(name)))
    }

    func cleanUp() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// A small MNIST-like set: `count` images of `rows × columns` with pixel (i, j) of image n equal to
/// (n + 7i + 3j) mod 256, labels n mod `classes`.
func syntheticImages(count: Int, rows: Int, columns: Int, classes: Int = 10) -> (images: IDXArray, labels: IDXArray) {
    var pixels: [UInt8] = []
    for n in 0..<count {
        for i in 0..<rows {
            for j in 0..<columns { pixels.append(UInt8((n + 7 * i + 3 * j) % 256)) }
        }
    }
    let labels = (0..<count).map { UInt8($0 % classes) }
    return (IDXArray(dimensions: [count, rows, columns], bytes: pixels), IDXArray(dimensions: [count], bytes: labels))
}

/// Writes a train/t10k set of four IDX files into `folder`, gzip-compressed or raw.
func writeMNISTFolder(_ folder: TemporaryFolder, compressed: Bool, trainCount: Int = 12, testCount: Int = 5) throws {
    let suffix = compressed ? ".gz" : ""
    let train = syntheticImages(count: trainCount, rows: 4, columns: 3)
    let test = syntheticImages(count: testCount, rows: 4, columns: 3)
    try IDX.write(train.images, to: folder.file(IDXDataset.trainImagesStem + suffix), compressed: compressed)
    try IDX.write(train.labels, to: folder.file(IDXDataset.trainLabelsStem + suffix), compressed: compressed)
    try IDX.write(test.images, to: folder.file(IDXDataset.testImagesStem + suffix), compressed: compressed)
    try IDX.write(test.labels, to: folder.file(IDXDataset.testLabelsStem + suffix), compressed: compressed)
}
