import Foundation

/// The machine-readable report, a contract other tools depend on (extend, never break):
///
///     {"verdict", "value", "blocks": [{"name", "shape", "verdict", "maxError", "failing",
///      "diagnosis": [{"code", "message"}]}], "entries": [{"block", "index", "analytic",
///      "numeric", "error", "bound", "verdict", "step"}], "diagnosis": [...], "anchors":
///      {"ngRelativeDifference", "cs231nMaxRelativeError", "pytorchAllclose"},
///      "evaluations", "seconds"}
///
/// An entry's `index` is its row-major position in its block. Non-finite numbers are `null`.
/// Extensions beyond the contract: `mode`, `precision`, `noise`, `noiseSource`, `safetyFactor`,
/// `seed`, per-block `checked`/`inconclusive`/`kinks`, per-entry `truncation`/`noiseError`,
/// `directions`, `error`; `kind` (`gradient` or `jacobian`), per-block
/// `detectableRelativeError` (null when nothing was measured), `plan` (`entries`,
/// `fullEntries`, `evaluationsPerEntry`, `secondsPerEvaluation`, `estimatedSeconds`,
/// `fullSeconds`), `budget` (`seconds`, `perBlock` or null, `entries`, `fullEntries`,
/// `estimatedSeconds`, `missProbability` per block); for vector-valued checks `outputs`
/// ([{`name`, `shape`}]), `jacobian` (`full` or `projections`) and per-block `output`/`input`;
/// per-block `errorLaw` (`constant`, `truncation`, `noise`, `mixed` or null; see ``ErrorLaw``)
/// and `unseenProbability` (sample mode: {"1": p, "10": p}, else null); per-entry `gaps` (a − D
/// at h, h/2, h/4) and `errorLaw` for the entries measured at three steps. Codes added since the
/// contract: `offset`, and `no-effect` on scalar checks too (docs/diagnosis.md).
public enum JSONReport {
    public static func object(_ r: GradientReport) -> [String: Any] {
        func num(_ x: Double) -> Any { x.isFinite ? x : NSNull() }
        func findings(_ f: [CheckFinding]) -> [[String: Any]] {
            f.map {
                var o: [String: Any] = ["code": $0.code.rawValue, "message": $0.message];
                if let b = $0.block { o["block"] = b }; return o
            }
        }
        var o: [String: Any] = [
            "verdict": r.verdict.rawValue,
            "value": num(r.value),
            "blocks": r.blocks.map { b -> [String: Any] in
                var o: [String: Any] = [
                    "name": b.name, "shape": b.shape, "verdict": b.verdict.rawValue, "maxError": num(b.maxError),
                    "failing": b.failing, "checked": b.checked, "inconclusive": b.inconclusive, "kinks": b.kinks,
                    "diagnosis": findings(b.diagnosis),
                    "detectableRelativeError": b.detectableRelativeError.map(num) ?? NSNull(),
                    "errorLaw": b.errorLaw.map { $0.rawValue as Any } ?? NSNull(),
                    "unseenProbability": b.unseenProbability.map { p in
                        Dictionary(uniqueKeysWithValues: p.map { ("\($0.key)", num($0.value)) }) as Any
                    } ?? NSNull()
                ]
                if let output = b.output { o["output"] = output }
                if let input = b.input { o["input"] = input }
                return o
            },
            "entries": r.entries.map(entryObject),
            "diagnosis": findings(r.diagnosis),
            "anchors": [
                "ngRelativeDifference": num(r.anchors.ngRelativeDifference),
                "cs231nMaxRelativeError": num(r.anchors.cs231nMaxRelativeError),
                "pytorchAllclose": r.anchors.pytorchAllclose
            ],
            "evaluations": r.evaluations,
            "seconds": r.seconds,
            "mode": r.mode,
            "precision": r.precision.rawValue,
            "noise": num(r.noise),
            "noiseSource": r.noiseSource,
            "safetyFactor": r.safetyFactor,
            "seed": r.seed
        ]
        if !r.directions.isEmpty {
            o["directions"] = r.directions.map { d -> [String: Any] in
                [
                    "blocks": d.blocks, "analytic": num(d.analytic), "numeric": num(d.numeric), "bound": num(d.bound),
                    "verdict": d.verdict.rawValue
                ]
            }
        }
        if let e = r.errorMessage { o["error"] = e }
        o["kind"] = r.kind
        if let outputs = r.outputs {
            o["outputs"] = outputs.map { ["name": $0.name, "shape": $0.shape] as [String: Any] }
        }
        if let jacobian = r.jacobian { o["jacobian"] = jacobian }
        if let p = r.plan {
            o["plan"] =
                [
                    "entries": p.entries, "fullEntries": p.fullEntries, "evaluationsPerEntry": p.evaluationsPerEntry,
                    "secondsPerEvaluation": num(p.secondsPerEvaluation), "estimatedSeconds": num(p.estimatedSeconds),
                    "fullSeconds": num(p.fullSeconds)
                ] as [String: Any]
        }
        if let b = r.budget {
            o["budget"] =
                [
                    "seconds": b.seconds, "perBlock": b.perBlock.map { $0 as Any } ?? NSNull(), "entries": b.entries,
                    "fullEntries": b.fullEntries, "estimatedSeconds": num(b.estimatedSeconds),
                    "missProbability": b.missProbability
                ] as [String: Any]
        }
        return o
    }

    static func entryObject(_ e: EntryResult) -> [String: Any] {
        func num(_ x: Double) -> Any { x.isFinite ? x : NSNull() }
        var o: [String: Any] = [
            "block": e.block, "index": e.index, "analytic": num(e.analytic), "numeric": num(e.numeric),
            "error": num(e.error), "bound": num(e.bound), "verdict": e.verdict.rawValue, "step": num(e.step),
            "truncation": num(e.truncation), "noiseError": num(e.noise)
        ]
        if let gaps = e.gaps {
            o["gaps"] = gaps.map(num)
            if let law = e.errorLaw { o["errorLaw"] = law.rawValue }
        }
        return o
    }

    /// Entries serialised at a time by ``render(_:pretty:)``: their Foundation dictionaries
    /// cost about 4 KB each, so a full check of 10⁵ entries would otherwise hold 400 MB of them.
    static let entryChunk = 4096

    /// The report as JSON text (keys sorted, one line unless `pretty`).
    public static func render(_ r: GradientReport, pretty: Bool = false) -> String {
        if !pretty {
            // One entry's dictionary at a time: a large report never holds them all.
            var shell = r
            shell.entries = []
            var top = object(shell)
            top["entries"] = JSONText.Deferred { out in
                out += "["
                for (k, e) in r.entries.enumerated() {
                    if k > 0 { out += "," }
                    JSONText.write(entryObject(e), into: &out)
                }
                out += "]"
            }
            return JSONText.render(top)
        }
        var options: JSONSerialization.WritingOptions = [.sortedKeys]
        if pretty { options.insert(.prettyPrinted) }
        func serialize(_ object: Any) -> String? {
            (try? JSONSerialization.data(withJSONObject: object, options: options)).map {
                String(decoding: $0, as: UTF8.self)
            }
        }
        guard !pretty, r.entries.count > entryChunk else { return serialize(object(r)) ?? "{}" }
        // Large reports: the entries are serialised in chunks and spliced into the rest, which
        // gives the bytes of the one-shot serialisation (one line, sorted keys, no spaces).
        var shell = r
        shell.entries = []
        guard let text = serialize(object(shell)), let slot = text.range(of: "\"entries\":[]") else {
            return serialize(object(r)) ?? "{}"
        }
        var out = String(text[..<slot.lowerBound]) + "\"entries\":["
        for start in stride(from: 0, to: r.entries.count, by: entryChunk) {
            guard let chunk = serialize(r.entries[start..<min(start + entryChunk, r.entries.count)].map(entryObject))
            else { return "{}" }
            if start > 0 { out += "," }
            out += chunk.dropFirst().dropLast()
        }
        return out + "]" + text[slot.upperBound...]
    }
}
