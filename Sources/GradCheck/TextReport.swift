import Foundation

/// The human-readable report: per block a table of its entries, worst first (by error/bound),
/// then the diagnosis, then a summary line with the anchors' figures. Colour only when asked
/// (the CLI asks on a TTY).
public struct TextReport: Sendable {
    public var title: String
    public var rowsPerBlock: Int
    public var color: Bool
    /// Where a reader finds the entries a block's table leaves out; front ends name their own
    /// way to get it (the command line: `--format json`).
    public var fullListing: String
    /// Under a float32 PASS: how the reader sees smaller mistakes (the command line names
    /// `--dtype float64` where the model can compute in it).
    public var float64Hint: String

    public init(
        title: String = "", rowsPerBlock: Int = 8, color: Bool = false,
        fullListing: String = "the JSON report lists every entry",
        float64Hint: String = "the same check computed in float64 would see much smaller mistakes"
    ) {
        self.title = title; self.rowsPerBlock = rowsPerBlock; self.color = color; self.fullListing = fullListing
        self.float64Hint = float64Hint
    }

    func paint(_ s: String, _ verdict: String) -> String {
        guard color else { return s }
        let code: String
        switch verdict {
        case "pass": code = "32"
        case "fail", "error": code = "31;1"
        case "inconclusive": code = "33"
        case "kink": code = "36"
        default: return s
        }
        return "\u{1B}[\(code)m\(s)\u{1B}[0m"
    }

    public func render(_ report: GradientReport) -> String {
        var out = [String]()
        let header = title.isEmpty ? "gradscope check" : "gradscope check: \(title)"
        out.append(
            "\(header) (\(report.precision.rawValue), \(report.mode), \(report.entries.count) entries, \(report.evaluations) evaluations, \(String(format: "%.2f", report.seconds)) s)"
        )
        if let message = report.errorMessage {
            out.append(paint("error: \(message)", "error"))
            return out.joined(separator: "\n") + "\n"
        }
        if report.kind == "jacobian" {
            let outputs = (report.outputs ?? []).map { "\($0.name) \($0.shape)" }.joined(separator: ", ")
            let how =
                report.jacobian == "projections"
                ? "random cotangent projections, each restricted to one output block"
                : "every row of the Jacobian (one vector-Jacobian product per output entry)"
            out.append(
                "Jacobian check of the vector-Jacobian product: outputs \(outputs); \(how); blocks are ∂output/∂input")
        }
        if let b = report.budget {
            let sample = b.perBlock.map { "a stratified sample of \($0) per block" } ?? "every entry"
            out.append(
                "budget \(shortNumber(b.seconds)) s: \(sample), \(b.entries) of \(b.fullEntries) entries, estimated \(shortNumber(b.estimatedSeconds)) s"
            )
        }
        out.append(
            "\(report.kind == "jacobian" ? "‖F(x)‖" : "f(x)") = \(shortNumber(report.value)); noise σ = \(shortNumber(report.noise)) [\(report.noiseSource)]; bound = \(shortNumber(report.safetyFactor))·(truncation + 2·noise) + rounding floor"
        )
        out.append("")
        let nameWidth = max(5, report.blocks.map(\.name.count).max() ?? 5)
        // A pattern that spans blocks is said once, in the model's diagnosis.
        let modelCodes = Set(report.diagnosis.filter { $0.block == nil }.map(\.code))
        for (bi, block) in report.blocks.enumerated() {
            let shape = "[" + block.shape.map(String.init).joined(separator: ", ") + "]"
            var line =
                "\(block.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0))  \(shape.padding(toLength: 12, withPad: " ", startingAt: 0))  \(paint(block.verdict.rawValue.uppercased().padding(toLength: 12, withPad: " ", startingAt: 0), block.verdict.rawValue))"
            if report.entries.isEmpty && !report.directions.isEmpty {
                let through = report.directions.filter { $0.blocks.contains(block.name) }.count
                line += "\(through) direction\(through == 1 ? "" : "s") through it"
                if block.failing > 0 { line += ", \(block.failing) failing" }
            } else {
                line += "\(block.checked) checked"
                if block.failing > 0 { line += ", \(block.failing) failing" }
            }
            if block.inconclusive > 0 { line += ", \(block.inconclusive) inconclusive" }
            if block.kinks > 0 { line += ", \(block.kinks) at kinks" }
            line += ", max error \(shortNumber(block.maxError))"
            out.append(line)
            let entries = report.entries.filter { $0.blockIndex == bi }
                .sorted { ($0.error / max($0.bound, 1e-300)) > ($1.error / max($1.bound, 1e-300)) }
            if !entries.isEmpty && (block.verdict != .pass || rowsPerBlock > 0) {
                let shown =
                    block.verdict == .pass
                    ? Array(entries.prefix(min(3, rowsPerBlock))) : Array(entries.prefix(rowsPerBlock))
                out.append(table(shown, shape: block.shape))
                if entries.count > shown.count {
                    out.append(
                        "    … \(entries.count - shown.count) more (worst first shown; \(fullListing))"
                    )
                }
            }
            if block.verdict == .fail,
                let law = ErrorLaw.sentence(failing: entries.filter { $0.verdict == .fail })
            {
                out.append("    error law: \(law)")
            }
            for finding in block.diagnosis {
                if modelCodes.contains(finding.code) {
                    out.append("    \(paint(finding.code.rawValue, "fail")) (said once for the model, below)")
                } else {
                    out.append("    \(paint(finding.code.rawValue, "fail")): \(finding.message)")
                }
            }
            out.append("")
        }
        if !report.directions.isEmpty {
            out.append("directions (g·v against the directional derivative):")
            for d in report.directions {
                out.append(
                    "    \(d.blocks.joined(separator: ",").padding(toLength: max(24, nameWidth), withPad: " ", startingAt: 0))  g·v \(fmt(d.analytic))  numeric \(fmt(d.numeric))  bound \(shortNumber(d.bound))  \(paint(d.verdict.rawValue, d.verdict.rawValue))"
                )
            }
            out.append("")
        }
        for finding in report.diagnosis {
            out.append("\(paint(finding.code.rawValue, "fail")): \(finding.message)")
        }
        let failing = report.blocks.filter { $0.verdict == .fail }.map(\.name)
        var summary = "summary: \(paint(report.verdict.rawValue.uppercased(), report.verdict.rawValue))"
        switch report.verdict {
        case .fail:
            summary += " — \(failing.count) of \(report.blocks.count) blocks fail (\(failing.joined(separator: ", ")))"
        case .pass:
            summary +=
                report.entries.isEmpty && !report.directions.isEmpty
                ? " — every direction's g·v is within its error bound of the directional derivative"
                : " — every checked entry is within its error bound"
        case .inconclusive: summary += " — the error bounds are too wide to decide for some entries (noise)"
        case .error: break
        }
        out.append(summary)
        let power = report.blocks.compactMap(\.detectableRelativeError).max()
        if report.budget != nil || (report.verdict == .pass && power != nil) {
            var line = "power: "
            line +=
                power.map { "a uniform relative mistake larger than \(shortNumber($0)) in any block would have shown" }
                ?? "no entry measured"
            if report.precision == .float32, power != nil {
                line += " (float32: \(float64Hint))"
            }
            if let b = report.budget, let worst = b.missProbability.max(by: { $0.value < $1.value }), worst.value > 0 {
                line +=
                    "; a mistake confined to one entry of \(worst.key) goes unseen with probability \(shortNumber(worst.value))"
            } else if report.budget == nil,
                let worst = report.blocks.filter({ ($0.unseenProbability?[1] ?? 0) > 0 }).max(by: {
                    $0.unseenProbability![1]! < $1.unseenProbability![1]!
                })
            {
                let p = worst.unseenProbability!
                line +=
                    "; a mistake confined to one entry of \(worst.name) goes unseen with probability \(shortNumber(p[1]!))"
                    + (p[10].map { ", to ten entries \(shortNumber($0))" } ?? "")
            }
            out.append(line)
        } else if report.entries.isEmpty && !report.directions.isEmpty && report.verdict == .pass {
            out.append(
                "power: each direction's g·v shows a mistake e once |⟨e, v⟩| exceeds that direction's bound; the directions touch every entry of their blocks, so no mistake is missed for where it sits, only for its size"
            )
        }
        let a = report.anchors
        out.append(
            "anchors on the same numbers: Ng ‖n−a‖/‖n+a‖ = \(shortNumber(a.ngRelativeDifference)) (ex4 wants < 1e-9), cs231n max relative error = \(shortNumber(a.cs231nMaxRelativeError)) (wants < 1e-7), PyTorch allclose(rtol 1e-3, atol 1e-5): \(a.pytorchAllclose ? "yes" : "no")"
        )
        if report.verdict == .pass, a.ngRelativeDifference >= 1e-9 || a.cs231nMaxRelativeError >= 1e-7 {
            // Relative to the entries' own size, over entries larger than their bound (an entry
            // that is zero within its bound has no relative bound).
            let largest = report.entries.filter {
                $0.verdict == .pass && max(abs($0.numeric), abs($0.analytic)) > $0.bound
            }
            .map { $0.bound / max(abs($0.numeric), abs($0.analytic)) }.max()
            out.append(
                "why the anchors disagree: Ng's 1e-9 and cs231n's 1e-7 are fixed thresholds; each bound here is set by this network's step, curvature and measured noise\(largest.map { " (up to \(shortNumber($0)) relative)" } ?? ""), which no fixed threshold knows: \(report.precision == .float32 ? "float32 rounding alone puts correct gradients above them" : "small or noisy gradients put a correct one above them")."
            )
        }
        return out.joined(separator: "\n") + "\n"
    }

    func fmt(_ x: Double) -> String { String(format: "% .6e", x) }

    func table(_ entries: [EntryResult], shape: [Int]) -> String {
        var lines = [
            "    "
                + [
                    "entry".padding(toLength: 10, withPad: " ", startingAt: 0),
                    "numeric".padding(toLength: 14, withPad: " ", startingAt: 0),
                    "analytic".padding(toLength: 14, withPad: " ", startingAt: 0),
                    "error".padding(toLength: 10, withPad: " ", startingAt: 0),
                    "bound".padding(toLength: 10, withPad: " ", startingAt: 0),
                    "error/bound".padding(toLength: 11, withPad: " ", startingAt: 0),
                    "step".padding(toLength: 9, withPad: " ", startingAt: 0), "verdict"
                ].joined(separator: " ")
        ]
        for e in entries {
            let position = CheckDiagnosis.position(e.index, in: shape)
            lines.append(
                "    "
                    + [
                        position.padding(toLength: 10, withPad: " ", startingAt: 0),
                        fmt(e.numeric).padding(toLength: 14, withPad: " ", startingAt: 0),
                        fmt(e.analytic).padding(toLength: 14, withPad: " ", startingAt: 0),
                        shortNumber(e.error).padding(toLength: 10, withPad: " ", startingAt: 0),
                        shortNumber(e.bound).padding(toLength: 10, withPad: " ", startingAt: 0),
                        shortNumber(e.error / max(e.bound, 1e-300)).padding(toLength: 11, withPad: " ", startingAt: 0),
                        shortNumber(e.step).padding(toLength: 9, withPad: " ", startingAt: 0),
                        paint(e.verdict.rawValue, e.verdict.rawValue)
                    ].joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }
}
