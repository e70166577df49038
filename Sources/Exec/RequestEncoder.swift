import GradCheck

/// Writes one ``Request``'s line in pieces, so that a request whose offset spans millions of
/// entries (a noise measurement along a dense direction) never sits in memory as text: the
/// connection asks for about a megabyte at a time as the program's stdin takes it, so the
/// checker holds O(piece) bytes per copy instead of ~30 bytes per offset entry per request.
///
/// The line is exactly ``Request/encode(id:into:)``'s (that function is this encoder run to the
/// end): `{"id":…,"op":"evaluate"[,"gradient":true][,"cotangent":[…]][,"offset":{"indices":[…],"values":[…]}]}\n`.
struct RequestEncoder {
    let request: Request
    let id: Int
    private var stage = Stage.head
    /// The next cotangent entry or offset storage slot of the current stage.
    private var slot = 0
    /// Whether the current list has had an element (a comma is due before the next).
    private var listed = false

    enum Stage { case head, cotangent, indices, values, tail, done }

    /// Storage slots walked per step of a list (each writes at most one number per entry).
    static let slotsPerStep = 4096

    init(_ request: Request, id: Int) { self.request = request; self.id = id }

    var isDone: Bool { stage == .done }

    /// Appends the next part of the line to `out`, stopping once `out` holds `limit` bytes or
    /// more (or the line is complete). Always makes progress.
    mutating func encode(into out: inout [UInt8], limit: Int) {
        while stage != .done && out.count < limit {
            switch stage {
            case .head:
                out.append(contentsOf: #"{"id":"#.utf8)
                out.append(contentsOf: String(id).utf8)
                out.append(contentsOf: #","op":"evaluate""#.utf8)
                if request.gradient { out.append(contentsOf: #","gradient":true"#.utf8) }
                if request.cotangent != nil {
                    out.append(contentsOf: #","cotangent":["#.utf8)
                    begin(.cotangent)
                } else {
                    beginOffset(out: &out)
                }
            case .cotangent:
                let cotangent = request.cotangent!
                let end = min(cotangent.count, slot + Self.slotsPerStep)
                for k in slot..<end {
                    precondition(cotangent[k].isFinite, "Request: non-finite cotangent entry \(cotangent[k])")
                    number(cotangent[k].description, into: &out)
                }
                slot = end
                if slot == cotangent.count {
                    out.append(UInt8(ascii: "]"))
                    beginOffset(out: &out)
                }
            case .indices, .values:
                let offset = request.offset
                let end = min(offset.slotCount, slot + Self.slotsPerStep)
                let writingIndices = stage == .indices
                offset.forEachEntry(inSlots: slot..<end) { i, v in
                    if writingIndices {
                        number(String(i), into: &out)
                    } else {
                        precondition(v.isFinite, "Request: non-finite offset \(v)")
                        number(v.description, into: &out)
                    }
                }
                slot = end
                if slot == offset.slotCount {
                    if writingIndices {
                        out.append(contentsOf: #"],"values":["#.utf8)
                        begin(.values)
                    } else {
                        out.append(contentsOf: "]}".utf8)
                        stage = .tail
                    }
                }
            case .tail:
                out.append(contentsOf: "}\n".utf8)
                stage = .done
            case .done:
                break
            }
        }
    }

    private mutating func begin(_ next: Stage) {
        stage = next; slot = 0; listed = false
    }

    private mutating func beginOffset(out: inout [UInt8]) {
        if request.offset.isEmpty {
            stage = .tail
        } else {
            out.append(contentsOf: #","offset":{"indices":["#.utf8)
            begin(.indices)
        }
    }

    private mutating func number(_ text: String, into out: inout [UInt8]) {
        if listed { out.append(UInt8(ascii: ",")) }
        listed = true
        out.append(contentsOf: text.utf8)
    }
}
