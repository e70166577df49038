import Foundation

/// Where training data comes from: the `--data` option of the command-line tool.
///
/// | argument        | source                                                               |
/// |-----------------|----------------------------------------------------------------------|
/// | `digits`        | the bundled 8 × 8 digits (default), split 1,437/360 (``Digits``)       |
/// | `fashion-mnist` | Debian's `dataset-fashion-mnist` in ``fashionMNISTDirectory``        |
/// | `mnist:DIR`     | a folder with the four standard MNIST IDX files, gzip or raw         |
/// | `idx:DIR`       | the same                                                             |
public enum DataSource: Sendable, Equatable, CustomStringConvertible {
    case digits
    case fashionMNIST
    case idxDirectory(String)

    /// Where Debian's `dataset-fashion-mnist` installs its files.
    public static let fashionMNISTDirectory = "/usr/share/datasets/fashion-mnist"
    public static let fashionMNISTAttribution =
        "Fashion-MNIST (H. Xiao, K. Rasul and R. Vollgraf, Zalando Research, 2017), MIT licence"
    static let fashionMNISTHint = "install it with: apt-get install dataset-fashion-mnist"
    static let idxHint =
        "the folder needs train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (each raw or .gz), e.g. the MNIST files"

    /// Parses a `--data` argument; names are case-insensitive, `~` in a folder is expanded.
    public init(parsing argument: String) throws(DatasetError) {
        let lowered = argument.lowercased()
        if lowered == "digits" {
            self = .digits
        } else if lowered == "fashion-mnist" {
            self = .fashionMNIST
        } else if let colon = argument.firstIndex(of: ":"),
            ["mnist", "idx"].contains(argument[..<colon].lowercased()),
            case let folder = argument[argument.index(after: colon)...], !folder.isEmpty
        {
            self = .idxDirectory((String(folder) as NSString).expandingTildeInPath)
        } else {
            throw .unknownSource(argument: argument)
        }
    }

    /// The argument that names this source.
    public var description: String {
        switch self {
        case .digits: "digits"
        case .fashionMNIST: "fashion-mnist"
        case .idxDirectory(let folder): "idx:" + folder
        }
    }

    /// Loads the source's training and test sets, pixels as stored (see ``Normalization``).
    public func load() throws(DatasetError) -> DatasetSplit {
        switch self {
        case .digits:
            try Digits.split()
        case .fashionMNIST:
            try IDXDataset.load(
                directory: Self.fashionMNISTDirectory, name: "fashion-mnist",
                attribution: Self.fashionMNISTAttribution, hint: Self.fashionMNISTHint)
        case .idxDirectory(let folder):
            try IDXDataset.load(
                directory: folder, name: (folder as NSString).lastPathComponent,
                attribution: "IDX files from \(folder)", hint: Self.idxHint)
        }
    }
}
