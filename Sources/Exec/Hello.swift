import GradCheck

/// The first line a `gradscope/1` program writes:
///
///     {"protocol": "gradscope/1", "parameters": [{"name": "Theta1", "shape": [5, 4]}, …],
///      "x": [...], "dtype": "float64"}
///
/// `x` is the point: every parameter block flattened row-major, blocks concatenated in order.
/// `parameters` is optional (absent: one block named "x"); `dtype` is optional (absent:
/// float64). Extension: an optional `"examples": m` (the number of examples the value averages
/// over) lets the diagnosis recognise a missing or extra 1/m. Unknown members are ignored.
public struct Hello: Sendable, Equatable {
    public static let protocolName = "gradscope/1"

    public var blocks: [ObjectiveBlock]
    public var x: [Double]
    /// The `dtype` as written, when there was one.
    public var dtype: String?
    public var precision: Precision
    public var examples: Int?
    /// A vector-valued program's outputs (extension: `"outputs": [{"name", "shape"}, …]`);
    /// nil for a scalar cost.
    public var outputs: [ObjectiveBlock]?

    public init(
        blocks: [ObjectiveBlock], x: [Double], dtype: String? = nil, precision: Precision = .float64,
        examples: Int? = nil,
        outputs: [ObjectiveBlock]? = nil
    ) {
        self.blocks = blocks; self.x = x; self.dtype = dtype; self.precision = precision; self.examples = examples
        self.outputs = outputs
    }

    /// The total number of outputs of a vector-valued program (nil for a scalar cost).
    public var outputCount: Int? { outputs.map { $0.reduce(0) { $0 + $1.count } } }

    /// Validates a parsed hello completely: the protocol name, the point (non-empty, finite),
    /// the blocks (names unique and non-empty, shapes of non-negative integers, sizes adding up
    /// to the point's length), the dtype and the example count.
    public init(_ json: JSONValue) throws(ExecError) {
        guard case .object = json else { throw .badHello("the first line is \(json.summary), not a JSON object") }
        guard let name = json["protocol"] else {
            throw .badHello("the first line has no \"protocol\" member: \(json.summary)")
        }
        guard name.string == Self.protocolName else {
            throw .badHello("the program speaks \(name.summary), this checker speaks \"\(Self.protocolName)\"")
        }
        guard let xValue = json["x"] else { throw .badHello("no \"x\" (the point to check)") }
        guard let x = xValue.numbers else {
            throw .badHello("\"x\" must be an array of numbers, got \(xValue.summary)")
        }
        guard !x.isEmpty else { throw .badHello("\"x\" is empty: nothing to check") }
        if let bad = x.firstIndex(where: { !$0.isFinite }) {
            throw .badHello("\"x\" has a non-finite entry at index \(bad) (\(x[bad]))")
        }
        self.x = x
        blocks = try Self.blocks(json["parameters"], count: x.count)
        (dtype, precision) = try Self.precision(json["dtype"])
        if let m = json["examples"], m != .null {
            guard let count = m.integer, count > 0 else {
                throw .badHello("\"examples\" must be a positive integer, got \(m.summary)")
            }
            examples = count
        } else {
            examples = nil
        }
        if let list = json["outputs"], list != .null {
            outputs = try Self.namedShapes(list, member: "outputs", count: nil)
        } else {
            outputs = nil
        }
    }

    static func blocks(_ parameters: JSONValue?, count: Int) throws(ExecError) -> [ObjectiveBlock] {
        guard let parameters, parameters != .null else {
            return [ObjectiveBlock(name: "x", shape: [count], offset: 0)]
        }
        return try namedShapes(parameters, member: "parameters", count: count)
    }

    /// `[{"name", "shape"}, …]` as consecutive blocks: names unique and non-empty, shapes of
    /// non-negative integers, sizes adding up to `count` when given.
    static func namedShapes(_ parameters: JSONValue, member: String, count: Int?) throws(ExecError) -> [ObjectiveBlock]
    {
        let singular = member == "outputs" ? "output" : "parameter"
        guard let list = parameters.array, !list.isEmpty else {
            throw .badHello(
                "\"\(member)\" must be a non-empty array of {\"name\", \"shape\"}, got \(parameters.summary)")
        }
        var items = [(name: String, shape: [Int])]()
        var seen = Set<String>()
        for (k, item) in list.enumerated() {
            guard let name = item["name"]?.string, !name.isEmpty else {
                throw .badHello("\(singular) \(k) has no \"name\" string: \(item.summary)")
            }
            guard seen.insert(name).inserted else { throw .badHello("two \(member) are named \"\(name)\"") }
            guard let dims = item["shape"]?.array else {
                throw .badHello("\(singular) \"\(name)\" has no \"shape\" array: \(item.summary)")
            }
            var shape = [Int]()
            var size = 1
            for d in dims {
                guard let n = d.integer, n >= 0 else {
                    throw .badHello(
                        "\(singular) \"\(name)\" has shape \(item["shape"]!.summary): dimensions must be non-negative integers"
                    )
                }
                let (product, overflow) = size.multipliedReportingOverflow(by: n)
                guard !overflow, product <= 1 << 40 else {
                    throw .badHello(
                        "\(singular) \"\(name)\" has shape \(item["shape"]!.summary): more than 2^40 entries")
                }
                size = product
                shape.append(n)
            }
            items.append((name, shape))
        }
        let total = items.reduce(0) { $0 + $1.shape.reduce(1, *) }
        guard let count else { return ObjectiveBlock.consecutive(items) }
        guard total == count else {
            let listed = items.map { "\($0.name) \($0.shape)" }.joined(separator: ", ")
            throw .badHello("the parameters (\(listed)) hold \(total) values but \"x\" has \(count)")
        }
        return ObjectiveBlock.consecutive(items)
    }

    /// float32 and float64 by their numpy, PyTorch and JAX names (`float32`, `torch.float32`,
    /// `f4`, `single`; `float64`, `double`, `f8`). float32 means the program rounds perturbed
    /// values to Float, so the checker models that rounding.
    static func precision(_ dtype: JSONValue?) throws(ExecError) -> (String?, Precision) {
        guard let dtype, dtype != .null else { return (nil, .float64) }
        guard let text = dtype.string else { throw .badHello("\"dtype\" must be a string, got \(dtype.summary)") }
        let bare = text.split(separator: ".").last.map(String.init)?.lowercased() ?? ""
        switch bare {
        case "float32", "f4", "<f4", "single", "fp32": return (text, .float32)
        case "float64", "f8", "<f8", "double", "fp64": return (text, .float64)
        default:
            throw .badHello(
                "\"dtype\" \"\(text)\" is not supported: float32 or float64 (the checker's error model needs the precision)"
            )
        }
    }

    /// The first difference from another hello, in words; nil when they agree.
    public func difference(from other: Hello) -> String? {
        if x.count != other.x.count { return "\(x.count) values in \"x\" instead of \(other.x.count)" }
        if let i = x.indices.first(where: { x[$0] != other.x[$0] }) {
            return "x[\(i)] = \(x[i]) instead of \(other.x[i])"
        }
        if blocks != other.blocks {
            return
                "parameters \(blocks.map { "\($0.name) \($0.shape)" }) instead of \(other.blocks.map { "\($0.name) \($0.shape)" })"
        }
        if precision != other.precision { return "dtype \(dtype ?? "float64") instead of \(other.dtype ?? "float64")" }
        if outputs != other.outputs {
            return
                "outputs \((outputs ?? []).map { "\($0.name) \($0.shape)" }) instead of \((other.outputs ?? []).map { "\($0.name) \($0.shape)" })"
        }
        if examples != other.examples {
            return
                "examples \(examples.map(String.init) ?? "none") instead of \(other.examples.map(String.init) ?? "none")"
        }
        return nil
    }
}
