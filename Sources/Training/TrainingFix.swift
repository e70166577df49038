/// What to try about a ``TrainingFinding``, in the library's terms: text with the settings it
/// would change marked, so that each front end names them its own way. Written as a string
/// with settings interpolated:
///
///     "lower the learning rate\(.learningRate), by 10× to start with"
///
/// reads "lower the learning rate, by 10× to start with" in the library (``description``),
/// and the command line renders each setting as its flag after the words that name it
/// ("lower the learning rate (--lr), by 10× to start with").
public struct TrainingFix: Sendable, Hashable, Codable, CustomStringConvertible, ExpressibleByStringInterpolation {
    /// Words, or a setting the fix changes.
    public enum Part: Sendable, Hashable {
        case text(String)
        case setting(TrainingSetting)
    }

    public private(set) var parts: [Part]

    public init(parts: [Part]) { self.parts = parts }

    /// The settings the fix would change, in order.
    public var settings: [TrainingSetting] {
        parts.compactMap { if case .setting(let s) = $0 { return s } else { return nil } }
    }

    /// The text with each setting replaced by `name(setting)` (the empty string drops it).
    public func rendered(_ name: (TrainingSetting) -> String) -> String {
        parts.map {
            switch $0 {
            case .text(let t): return t
            case .setting(let s): return name(s)
            }
        }.joined()
    }

    /// The fix in words, the settings left to the text that names them.
    public var description: String { rendered { _ in "" } }

    public init(stringLiteral value: String) { parts = [.text(value)] }

    public init(stringInterpolation: StringInterpolation) { parts = stringInterpolation.parts }

    public struct StringInterpolation: StringInterpolationProtocol {
        var parts: [Part] = []
        public init(literalCapacity: Int, interpolationCount: Int) {}
        public mutating func appendLiteral(_ literal: String) { if !literal.isEmpty { parts.append(.text(literal)) } }
        public mutating func appendInterpolation(_ setting: TrainingSetting) { parts.append(.setting(setting)) }
        public mutating func appendInterpolation(_ value: String) { parts.append(.text(value)) }
    }

    /// Encoded as its text (``description``); front ends that name settings encode their
    /// own rendering.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    public init(from decoder: any Decoder) throws {
        parts = [.text(try decoder.singleValueContainer().decode(String.self))]
    }
}
