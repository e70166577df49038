#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a line is not (tolerant) JSON, and the byte offset where reading stopped.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var offset: Int
    public var description: String { "\(message) at byte \(offset)" }
}

/// Reads one JSON value from one line of bytes: strict JSON (RFC 8259) plus the non-finite
/// number tokens `NaN`, `Infinity`, `-Infinity`, `nan`, `inf`, `-inf`, `+inf`. The tokens are
/// recognised by the grammar, never by text substitution, so a string such as `"NaN"` stays
/// a string.
///
/// Complexity: O(bytes); numbers go through `strtod`, which rounds correctly.
public struct JSONLineParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    /// Parses a whole line (without its newline); anything but whitespace after the value is
    /// an error.
    public static func parse(_ line: UnsafeBufferPointer<UInt8>) throws(JSONSyntaxError) -> JSONValue {
        var parser = JSONLineParser(bytes: line)
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.position == line.count else { throw parser.error("unexpected text after the value") }
        return value
    }

    public static func parse(_ line: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        let result = line.withUnsafeBufferPointer { buffer in
            Result { () throws(JSONSyntaxError) -> JSONValue in try parse(buffer) }
        }
        return try result.get()
    }

    public static func parse(_ line: String) throws(JSONSyntaxError) -> JSONValue {
        try parse(Array(line.utf8))
    }

    func error(_ message: String) -> JSONSyntaxError { JSONSyntaxError(message: message, offset: position) }

    var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func skipWhitespace() {
        while let c = current, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { position += 1 }
    }

    mutating func value(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth < 512 else { throw error("nesting deeper than 512") }
        guard let c = current else { throw error("unexpected end of line") }
        switch c {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: return try word()
        }
    }

    mutating func object(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        position += 1
        var members = [(key: String, value: JSONValue)]()
        skipWhitespace()
        if current == UInt8(ascii: "}") { position += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw error("expected a member name in quotes") }
            let key = try string()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw error("expected ':' after member \"\(key)\"") }
            position += 1
            skipWhitespace()
            members.append((key, try value(depth: depth + 1)))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return .object(members)
            default: throw error("expected ',' or '}' in an object")
            }
        }
    }

    /// An array; while every element is a number it is gathered as `[Double]`
    /// (``JSONValue/numberArray(_:)``), and turned into `[JSONValue]` at the first other element.
    mutating func array(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        position += 1
        skipWhitespace()
        if current == UInt8(ascii: "]") { position += 1; return .array([]) }
        var numbers = [Double]()
        while true {
            skipWhitespace()
            let element = try value(depth: depth + 1)
            guard case .number(let x) = element else {
                var elements = numbers.map { JSONValue.number($0) }
                numbers = []
                elements.append(element)
                return try rest(of: elements, depth: depth)
            }
            numbers.append(x)
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): position += 1; return .numberArray(numbers)
            default: throw error("expected ',' or ']' in an array")
            }
        }
    }

    /// The rest of an array whose `elements` so far are read (the last one just now).
    mutating func rest(of elements: [JSONValue], depth: Int) throws(JSONSyntaxError) -> JSONValue {
        var elements = elements
        while true {
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): position += 1; return .array(elements)
            default: throw error("expected ',' or ']' in an array")
            }
            skipWhitespace()
            elements.append(try value(depth: depth + 1))
        }
    }

    /// `true`, `false`, `null`, and the unsigned non-finite tokens.
    mutating func word() throws(JSONSyntaxError) -> JSONValue {
        let start = position
        while let c = current, (c | 0x20) >= UInt8(ascii: "a"), (c | 0x20) <= UInt8(ascii: "z") { position += 1 }
        switch String(decoding: bytes[start..<position], as: UTF8.self) {
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "null": return .null
        case "NaN", "nan": return .number(.nan)
        case "Infinity", "inf": return .number(.infinity)
        default:
            position = start
            throw error("not JSON")
        }
    }

    /// A number: JSON's grammar checked loosely (strtod must consume exactly the token), or a
    /// signed non-finite token.
    mutating func number() throws(JSONSyntaxError) -> Double {
        let start = position
        var sign = 1.0
        if let c = current, c == UInt8(ascii: "-") || c == UInt8(ascii: "+") {
            if c == UInt8(ascii: "-") { sign = -1 }
            if position + 1 < bytes.count, (bytes[position + 1] | 0x20) >= UInt8(ascii: "a") {
                position += 1
                let wordStart = position
                while let c = current, (c | 0x20) >= UInt8(ascii: "a"), (c | 0x20) <= UInt8(ascii: "z") {
                    position += 1
                }
                switch String(decoding: bytes[wordStart..<position], as: UTF8.self) {
                case "Infinity", "inf": return sign * .infinity
                case "NaN", "nan": return .nan
                default: position = start; throw error("not a number")
                }
            }
        }
        while let c = current,
            (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "-") || c == UInt8(ascii: "+")
                || c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E")
        {
            position += 1
        }
        let length = position - start
        let parsed: Double? = withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { text in
            for k in 0..<length { text[k] = CChar(bitPattern: bytes[start + k]) }
            text[length] = 0
            var end: UnsafeMutablePointer<CChar>?
            let x = strtod(text.baseAddress!, &end)
            return end == text.baseAddress! + length && length > 0 ? x : nil
        }
        guard let parsed else { position = start; throw error("malformed number") }
        return parsed
    }

    mutating func string() throws(JSONSyntaxError) -> String {
        position += 1
        var scalars = [UInt8]()
        while true {
            guard let c = current else { throw error("unterminated string") }
            position += 1
            switch c {
            case UInt8(ascii: "\""):
                return String(decoding: scalars, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let e = current else { throw error("unterminated escape") }
                position += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(e)
                case UInt8(ascii: "b"): scalars.append(0x08)
                case UInt8(ascii: "f"): scalars.append(0x0C)
                case UInt8(ascii: "n"): scalars.append(0x0A)
                case UInt8(ascii: "r"): scalars.append(0x0D)
                case UInt8(ascii: "t"): scalars.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800..<0xDC00).contains(code), current == UInt8(ascii: "\\"),
                        position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "u")
                    {
                        position += 2
                        let low = try hex4()
                        if (0xDC00..<0xE000).contains(low) {
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            scalars.append(contentsOf: "\u{FFFD}".utf8)
                            code = low
                        }
                    }
                    let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                    scalars.append(contentsOf: String(scalar).utf8)
                default:
                    position -= 1
                    throw error("invalid escape")
                }
            case 0..<0x20:
                position -= 1
                throw error("control character in a string")
            default:
                scalars.append(c)
            }
        }
    }

    mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("short \\u escape") }
        var code: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[position] | 0x20
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
            default: throw error("invalid \\u escape")
            }
            code = code << 4 | UInt32(digit)
            position += 1
        }
        return code
    }
}
