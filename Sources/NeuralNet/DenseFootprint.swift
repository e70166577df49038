/// Sizes of a dense network computed with overflow-checked arithmetic, so that a size from a
/// flag or a file (`--hidden 9223372036854775807`) is refused as a number before anything is
/// allocated. Every figure is `nil` when it does not fit in `Int`.
public struct DenseFootprint: Sendable, Equatable {
    /// Layer sizes from input to output.
    public var sizes: [Int]
    /// Weights and biases: Σᵢ (sizesᵢ + 1)·sizesᵢ₊₁.
    public var parameters: Int?
    /// Σ sizes: the values one example's forward pass holds per tape (inputs included).
    public var widths: Int?

    public init(sizes: [Int]) {
        self.sizes = sizes
        var parameters: Int? = 0
        for (input, output) in zip(sizes, sizes.dropFirst()) {
            parameters = CheckedSize.sum(parameters, CheckedSize.product(CheckedSize.sum(input, 1), output))
        }
        self.parameters = sizes.allSatisfy({ $0 >= 0 }) ? parameters : nil
        self.widths = sizes.reduce(0 as Int?) { CheckedSize.sum($0, $1) }
    }
}

/// Overflow-checked `Int` arithmetic on optional sizes: `nil` (overflow) propagates.
public enum CheckedSize {
    public static func sum(_ a: Int?, _ b: Int?) -> Int? {
        guard let a, let b else { return nil }
        let (r, overflow) = a.addingReportingOverflow(b)
        return overflow ? nil : r
    }

    public static func product(_ a: Int?, _ b: Int?) -> Int? {
        guard let a, let b else { return nil }
        let (r, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? nil : r
    }

    /// The product of all `factors` (1 for none).
    public static func product(_ factors: [Int]) -> Int? {
        factors.reduce(1 as Int?) { product($0, $1) }
    }
}

extension ArchitectureSpec {
    /// The layer sizes and default batch of this spec's network when it is a preset or a dense
    /// network of given sizes, without building it: `(sizes, examples)`. `nil` for `--hidden`
    /// (the data decides the outer sizes).
    public var presetSizes: [Int]? {
        switch preset {
        case .ex4Debug: return [3, 5, 3]
        case .ex4: return [400, 25, 10]
        case .cs231nTwoLayer: return [4, 10, 3]
        case nil: return nil
        }
    }

    /// The number of examples a preset uses unless `--examples` says otherwise.
    public var presetExamples: Int? {
        switch preset {
        case .ex4Debug, .cs231nTwoLayer: return examples ?? 5
        case .ex4: return examples ?? 5000
        case nil: return nil
        }
    }
}
