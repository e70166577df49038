/// A JSON value as the `gradscope/1` protocol reads it.
///
/// Numbers are Doubles. Beyond strict JSON the reader accepts the non-finite tokens that
/// Python's `json` module and C's `printf` write (`NaN`, `Infinity`, `-Infinity`, `nan`,
/// `inf`, `-inf`), and a number read where a number is expected may also be `null`, meaning
/// NaN (see ``number``).
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    /// An array whose every element is a number, stored compactly: the parser's form for such
    /// arrays (a point or gradient of millions of entries costs 8 bytes each, not a
    /// ``JSONValue`` each). Equal to the same ``array(_:)`` of ``number(_:)``s; ``array`` reads
    /// it as one.
    case numberArray([Double])
    /// Members in the order written (a later duplicate key wins in ``subscript(_:)``).
    case object([(key: String, value: JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.number(x), .number(y)): return x == y || (x.isNaN && y.isNaN)
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.numberArray(x), .numberArray(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
        case let (.numberArray(x), .array(y)), let (.array(y), .numberArray(x)):
            return x.count == y.count && zip(x, y).allSatisfy { JSONValue.number($0) == $1 }
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    /// The member `key` of an object (the last one of that name); nil for a missing key or a
    /// value that is not an object.
    public subscript(_ key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.key == key }?.value
    }

    /// A number, with `null` read as NaN; nil for anything else.
    public var number: Double? {
        switch self {
        case .number(let x): return x
        case .null: return .nan
        default: return nil
        }
    }

    /// An integer-valued finite number that fits in `Int`.
    public var integer: Int? {
        guard case .number(let x) = self, x.isFinite, x == x.rounded(), abs(x) < 0x1p62 else { return nil }
        return Int(x)
    }

    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var array: [JSONValue]? {
        switch self {
        case .array(let a): return a
        case .numberArray(let a): return a.map { .number($0) }
        default: return nil
        }
    }

    /// An array whose every element is a number or `null` (NaN).
    public var numbers: [Double]? {
        if case .numberArray(let a) = self { return a }
        guard case .array(let a) = self else { return nil }
        var out = [Double]()
        out.reserveCapacity(a.count)
        for v in a {
            guard let x = v.number else { return nil }
            out.append(x)
        }
        return out
    }

    /// A short rendering for messages: strings quoted, long arrays and objects elided.
    public var summary: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let x): return x.isFinite && x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)"
        case .string(let s): return "\"\(s.count > 40 ? s.prefix(40) + "…" : Substring(s))\""
        case .array(let a):
            return a.count <= 3 ? "[" + a.map(\.summary).joined(separator: ", ") + "]" : "[\(a.count) values]"
        case .numberArray(let a):
            return a.count <= 3 ? JSONValue.array(a.map { .number($0) }).summary : "[\(a.count) values]"
        case .object(let m):
            return "{" + m.prefix(4).map { "\"\($0.key)\": \($0.value.summary)" }.joined(separator: ", ")
                + (m.count > 4 ? ", …}" : "}")
        }
    }
}
