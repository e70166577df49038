import Foundation
import Testing
@testable import Datasets

@Suite("Bundled digits")
struct DigitsTests {
    /// The labels read straight from the resource's last column, without the module's CSV parser.
    static func labelsFromTheCSV() throws -> [Int] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/Datasets/Resources/digits.csv.gz")
        let text = String(
            decoding: try Gzip.decompress([UInt8](Data(contentsOf: url)), file: "digits.csv.gz"), as: UTF8.self)
        return text.split(separator: "\n").map { Int($0.split(separator: ",").last!)! }
    }

    @Test func loadsAllImages() throws {
        let digits = try Digits.load()
        #expect(digits.count == 1797)
        #expect(digits.featureCount == 64)
        #expect(digits.imageShape == [8, 8])
        #expect(digits.classes == 10)
        #expect(digits.images.count == 1797 * 64)
        #expect(digits.images.allSatisfy { (0...16).contains($0) && $0 == $0.rounded() })
        #expect(Set(digits.labels) == Set(0...9))
        // The first row of the file is a 0.
        #expect(Array(digits.image(0).prefix(8)) == [0, 0, 5, 13, 9, 1, 0, 0])
        #expect(digits.labels[0] == 0)
    }

    @Test func bundlesItsLicence() throws {
        let text = try #require(Digits.licenseText())
        #expect(text.contains("CC BY 4.0") && text.contains("Alpaydin"))
    }

    @Test func classCountsMatchTheFile() throws {
        let labels = try Self.labelsFromTheCSV()
        let expected = (0..<10).map { label in labels.filter { $0 == label }.count }
        #expect(try Digits.load().classCounts == expected)
        // Also the distribution documented for the UCI test set (optdigits.names, "Class Distribution").
        #expect(expected == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
    }

    @Test func splitIsFixedDisjointAndStratified() throws {
        let split = try Digits.split()
        #expect(split.train.count == 1437)
        #expect(split.test.count == 360)
        #expect(split.train.name == "digits/train")
        #expect(split.attribution.contains("CC BY 4.0"))
        #expect(try Digits.split() == split)

        let digits = try Digits.load()
        let (train, test) = StratifiedSplit.indices(
            labels: digits.labels, classes: 10, testCount: 360, seed: Digits.splitSeed)
        #expect(Set(train).isDisjoint(with: test))
        #expect((train + test).sorted() == Array(0..<1797))
        #expect(split.test == digits.subset(test, name: "digits/test"))
        #expect(split.test.classCounts == [36, 37, 35, 37, 36, 36, 36, 36, 35, 36])

        // Golden values from an independent Python implementation of SplitMix64, Lemire's bounded
        // integers, Fisher–Yates and the largest-remainder quotas, run on the same CSV:
        //   g = SM(1998); for c in range(10): mem = [i for i, l in enumerate(labels) if l == c]
        //   for i in range(len(mem) - 1, 0, -1): j = bounded(g, i + 1); mem[i], mem[j] = mem[j], mem[i]
        //   test += mem[:q[c]]  →  sorted(test)[:12], sum(test)
        #expect(Array(test.prefix(12)) == [2, 5, 7, 18, 20, 36, 44, 49, 51, 59, 61, 65])
        #expect(test.reduce(0, +) == 308_173)
    }

    @Test func quotasUseLargestRemainders() {
        #expect(
            StratifiedSplit.quotas(classCounts: [178, 182, 177, 183, 181, 182, 181, 179, 174, 180], testCount: 360)
                == [36, 37, 35, 37, 36, 36, 36, 36, 35, 36])
        // Equal remainders go to the smaller label first.
        #expect(StratifiedSplit.quotas(classCounts: [1, 1, 1], testCount: 2) == [1, 1, 0])
        #expect(StratifiedSplit.quotas(classCounts: [5, 5], testCount: 0) == [0, 0])
    }
}

@Suite("Digits CSV errors")
struct DigitsCSVTests {
    static let row = Array(repeating: "0", count: 64).joined(separator: ",") + ",3"

    func parse(_ text: String) throws(DatasetError) -> LabeledImages {
        try Digits.parse(csv: Array(text.utf8), file: "d.csv")
    }

    @Test func parsesRowsWithCRLFAndSpaces() throws {
        let images = try parse(Self.row + "\r\n" + Self.row.replacingOccurrences(of: ",3", with: ", 9 ") + "\n")
        #expect(images.labels == [3, 9])
        #expect(images.count == 2)
    }

    @Test func rejectsAMissingField() {
        expectError(
            .csv(file: "d.csv", line: 2, column: 65, reason: "expected 65 fields (64 pixels and a label), found 64"),
            message: "d.csv: line 2, column 65: expected 65 fields (64 pixels and a label), found 64"
        ) {
            _ = try parse(Self.row + "\n" + Self.row.replacingOccurrences(of: ",3", with: ""))
        }
    }

    @Test func rejectsAnExtraField() {
        expectError(
            .csv(file: "d.csv", line: 1, column: 66, reason: "expected 65 fields (64 pixels and a label), found 66"),
            message: "d.csv: line 1, column 66: expected 65 fields (64 pixels and a label), found 66"
        ) {
            _ = try parse(Self.row + ",4")
        }
    }

    @Test func rejectsABadPixel() {
        expectError(
            .csv(file: "d.csv", line: 1, column: 2, reason: "pixel '17' is not an integer in 0...16"),
            message: "d.csv: line 1, column 2: pixel '17' is not an integer in 0...16"
        ) {
            _ = try parse("0,17" + Self.row.dropFirst(3))
        }
        expectError(
            .csv(file: "d.csv", line: 1, column: 1, reason: "pixel 'x' is not an integer in 0...16"),
            message: "d.csv: line 1, column 1: pixel 'x' is not an integer in 0...16"
        ) {
            _ = try parse("x" + Self.row.dropFirst(1))
        }
    }

    @Test func rejectsALabelOutOfRange() {
        expectError(
            .csv(file: "d.csv", line: 1, column: 65, reason: "label '10' is not an integer in 0..<10"),
            message: "d.csv: line 1, column 65: label '10' is not an integer in 0..<10"
        ) {
            _ = try parse(Self.row.dropLast() + "10")
        }
    }

    @Test func rejectsTextThatIsNotUTF8() {
        expectError(
            .csv(file: "d.csv", line: 1, column: 1, reason: "the file is not UTF-8 text"),
            message: "d.csv: line 1, column 1: the file is not UTF-8 text"
        ) {
            _ = try Digits.parse(csv: [0x30, 0x2C, 0xFF, 0xFE], file: "d.csv")
        }
    }

    @Test func rejectsEmptyLinesQuotesAndEmptyFiles() {
        expectError(
            .csv(file: "d.csv", line: 2, column: 1, reason: "empty line"),
            message: "d.csv: line 2, column 1: empty line"
        ) {
            _ = try parse(Self.row + "\n\n" + Self.row)
        }
        expectError(
            .csv(file: "d.csv", line: 1, column: 65, reason: "quoted fields are not supported"),
            message: "d.csv: line 1, column 65: quoted fields are not supported"
        ) {
            _ = try parse(Self.row.dropLast() + "\"3\"")
        }
        expectError(
            .csv(file: "d.csv", line: 1, column: 1, reason: "no images"),
            message: "d.csv: line 1, column 1: no images"
        ) {
            _ = try parse("")
        }
    }
}
