import GradCheck

/// One `evaluate` request: the value at x, or at x plus a sparse offset, with or without the
/// gradient. Encoded as one line:
///
///     {"id":7,"op":"evaluate"}
///     {"id":8,"op":"evaluate","gradient":true}
///     {"id":9,"op":"evaluate","offset":{"indices":[17,40],"values":[1e-06,-2e-06]}}
///
/// Offsets are always sparse, so a check of N parameters sends O(N) numbers in all.
///
/// To a vector-valued program (a hello with `outputs`), a pullback request carries the
/// cotangent and is answered with the outputs and cᵀ·J:
///
///     {"id":10,"op":"evaluate","cotangent":[1,0,-2.5]}
public struct Request: Sendable, Hashable {
    public var offset: Perturbation
    public var gradient: Bool
    /// A vector-valued program's cotangent c: the answer's "gradient" is cᵀ·J.
    public var cotangent: [Double]?

    public init(offset: Perturbation = Perturbation(), gradient: Bool = false, cotangent: [Double]? = nil) {
        self.offset = offset; self.gradient = gradient; self.cotangent = cotangent
    }

    /// Appends the request's line (with its newline) to `out`. Numbers are written in Swift's
    /// shortest round-trip form, which every JSON reader parses back to the same Double.
    public func encode(id: Int, into out: inout [UInt8]) {
        var encoder = RequestEncoder(self, id: id)
        encoder.encode(into: &out, limit: .max)
    }

    /// What the request asks for, in words, for error messages: "value and gradient at x",
    /// "value at x + offset on Theta1[2, 0]".
    public func summary(blocks: [ObjectiveBlock]) -> String {
        let what = cotangent != nil ? "outputs and vector-Jacobian product" : gradient ? "value and gradient" : "value"
        switch offset.entryCount {
        case 0: return "\(what) at x"
        case 1:
            let i = offset.indices[0]
            guard let b = blocks.first(where: { $0.range.contains(i) }) else {
                return "\(what) at x + offset on entry \(i)"
            }
            let k = i - b.offset
            let position = b.shape.count == 2 ? "[\(k / b.shape[1]), \(k % b.shape[1])]" : "[\(k)]"
            return "\(what) at x + \(v(offset.values[0])) on \(b.name)\(position)"
        default: return "\(what) at x + an offset on \(offset.entryCount) entries"
        }
    }

    func v(_ x: Double) -> String { x.description }
}

/// The answer to one request: `{"id": 8, "value": 0.2876, "gradient": [...]}`. An answer
/// `{"id": 9, "error": "message"}` becomes ``ExecError/programError(request:what:message:)``.
public struct Response: Sendable, Equatable {
    public var value: Double
    public var gradient: [Double]?
    /// A vector-valued program's outputs (its "value" array); `value` is then NaN.
    public var outputs: [Double]?

    public init(value: Double, gradient: [Double]? = nil, outputs: [Double]? = nil) {
        self.value = value; self.gradient = gradient; self.outputs = outputs
    }

    /// Validates an answer to request `id`: the id, the value (a number; `null` or a
    /// non-finite token is NaN, which the checker reports), and the gradient's presence and
    /// length when one was asked for.
    ///
    /// For a vector-valued program (`outputCount` given), "value" must be an array of that many
    /// numbers, and a pullback's "gradient" an array of numbers of any length (the checker
    /// reports a wrong length as a finding, `vjp-wrong-shape`).
    public init(
        _ json: JSONValue, id: Int, request: Request, what: String, count: Int, outputCount: Int? = nil
    ) throws(ExecError) {
        guard case .object = json else {
            throw .badResponse(request: id, what: what, problem: "the answer is \(json.summary), not a JSON object")
        }
        guard let answered = json["id"] else {
            throw .badResponse(request: id, what: what, problem: "the answer has no \"id\": \(json.summary)")
        }
        guard answered.integer == id else { throw .wrongID(request: id, got: answered.summary, what: what) }
        if let message = json["error"], message != .null {
            throw .programError(request: id, what: what, message: message.string ?? message.summary)
        }
        guard let valueJSON = json["value"] else {
            throw .badResponse(
                request: id, what: what, problem: "the answer has neither \"value\" nor \"error\": \(json.summary)")
        }
        if let outputCount {
            guard let outputs = valueJSON.numbers else {
                throw .badResponse(
                    request: id, what: what,
                    problem: "\"value\" is \(valueJSON.summary), not an array of numbers (the hello announced outputs)")
            }
            guard outputs.count == outputCount else {
                throw .badResponse(
                    request: id, what: what,
                    problem:
                        "\"value\" has \(outputs.count) entr\(outputs.count == 1 ? "y" : "ies"), expected \(outputCount) (the outputs the hello announced)"
                )
            }
            self.value = .nan
            self.outputs = outputs
            guard request.cotangent != nil else { gradient = nil; return }
            guard let g = json["gradient"], g != .null, let numbers = g.numbers else {
                throw .badResponse(
                    request: id, what: what,
                    problem: "the answer has no \"gradient\" array (the vector-Jacobian product)")
            }
            gradient = numbers
            return
        }
        outputs = nil
        guard let value = valueJSON.number else {
            throw .badResponse(request: id, what: what, problem: "\"value\" is \(valueJSON.summary), not a number")
        }
        self.value = value
        guard request.gradient else { gradient = nil; return }
        guard let g = json["gradient"], g != .null else {
            throw .badResponse(request: id, what: what, problem: "the answer has no \"gradient\"")
        }
        guard let numbers = g.numbers else {
            throw .badResponse(
                request: id, what: what, problem: "\"gradient\" must be an array of numbers, got \(g.summary)")
        }
        guard numbers.count == count else {
            throw .badResponse(
                request: id, what: what,
                problem:
                    "the gradient has \(numbers.count) entr\(numbers.count == 1 ? "y" : "ies"), expected \(count) (one per entry of x)"
            )
        }
        gradient = numbers
    }
}
