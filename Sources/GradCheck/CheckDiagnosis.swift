import Foundation
import NeuralNet

/// An alternative analytic gradient that a known mistake would produce (see ``BugZoo``). If
/// the gradient under check equals one of them, the diagnosis names that mistake.
public struct GradientHypothesis: Sendable {
    public var code: CheckFinding.Code
    public var message: String
    public var gradient: [Double]
    public init(code: CheckFinding.Code, message: String, gradient: [Double]) {
        self.code = code; self.message = message; self.gradient = gradient
    }
}

/// Objectives that know their structure well enough to offer hypotheses and a λ = 0 variant.
public protocol DiagnosableObjective: GradientObjective {
    /// Gradients that known mistakes would produce at the same point.
    func hypotheses() -> [GradientHypothesis]
    /// λ and m of an L2 term λ/(2m)·Σθ² and which blocks it covers, when there is one.
    var regularization: (lambda: Double, examples: Int, coveredBlocks: [Int])? { get }
    /// The same objective without regularisation, to tell data-term from regulariser bugs.
    func withoutRegularization() -> Self?
}

/// Names the pattern of a failing block. Each code is reported only when its evidence holds
/// (docs/diagnosis.md lists the same preconditions):
///
/// - `single-entry`: exactly one entry fails, the block has others, and no block-wide scale
///   explains it (a uniformly scaled block whose other entries were too small to fail is a
///   `scale`).
/// - `zero-gradient`: at least 80 % of the failing entries have an analytic value of exactly 0
///   where the numerical one is beyond its bound.
/// - `scale` / `sign`: one factor c explains every entry of the block within its bound, and c
///   differs from 1 beyond the bounds' uncertainty (``BlockFits``); `sign` when that factor is
///   −1 within the uncertainty. Printed with the digits the bounds support.
/// - `transpose`: every entry of a 2-D block checked, and a equals nᵀ within 2 % while a − n is
///   ten times larger.
/// - `offset`: a − n is one constant k on every entry, each within its bound of k (two entries
///   or more, k ≠ 0 beyond its uncertainty): a mean term dropped or added whole.
/// - `regularisation`: a − n ≈ c·θ explains two or more entries (the block, or its failing
///   entries) within their bounds and better than a constant offset.
/// - `bias-only`: the failing block is a bias (or column 0 of a Θ = [b | W] block, the only
///   column that fails) and every weight block of the same layer passes.
/// - `concentrated`: more than one entry fails, and the failing rows (or columns) are fewer
///   than half of the rows (columns) checked.
/// - known mistakes (`softmax-diagonal`, …): a hypothesis reproduces the whole analytic
///   gradient to 1e-6; said once for the model, and marked on each failing block.
/// - `first-failing-block`: two or more blocks fail and no single explanation covers them all
///   (a known mistake, one scale or sign on every failing block, or a regularisation term on
///   each): the failing block nearest the output, which backprop reaches first.
enum CheckDiagnosis {
    /// Relative residual below which the transposed-layout fit is accepted.
    static let fitTolerance = 0.02

    static func run(_ report: inout GradientReport, objective: some GradientObjective, gradient: [Double]) {
        guard report.verdict == .fail else { return }
        let diagnosable = objective as? any DiagnosableObjective
        let x = objective.point
        let m = objective.exampleCount
        let lambdaOverM: Double? = diagnosable?.regularization.map { $0.lambda / Double($0.examples) }
        var scales = [Int: BlockFits.Scale]()

        for bi in report.blocks.indices where report.blocks[bi].verdict == .fail {
            let block = objective.blocks[bi]
            let entries = report.entries.filter { $0.blockIndex == bi && $0.verdict != .kink }
            guard !entries.isEmpty else { continue }
            let a = entries.map(\.analytic), n = entries.map(\.numeric)
            let theta = entries.map { x[block.offset + $0.index] }
            let failing = entries.filter { $0.verdict == .fail }
            var findings = [CheckFinding]()
            func add(_ code: CheckFinding.Code, _ message: String) {
                findings.append(CheckFinding(code: code, message: message, block: block.name))
            }
            let scale = BlockFits.scale(entries).flatMap { $0.differsFromOne ? $0 : nil }
            scales[bi] = scale

            if failing.count == 1, entries.count > 1, scale == nil {
                let e = failing[0]
                add(
                    .singleEntry,
                    "Only entry \(position(e.index, in: block.shape)) of \(block.name) is wrong: analytic \(shortNumber(e.analytic)), numeric \(shortNumber(e.numeric)) (relative error \(shortNumber(e.error / max(abs(e.numeric), 1e-300))))."
                )
            }
            let zeroed = failing.filter { $0.analytic == 0 && abs($0.numeric) > $0.bound }
            if !failing.isEmpty, Double(zeroed.count) >= 0.8 * Double(failing.count) {
                add(
                    .zeroGradient,
                    "The analytic gradient is exactly 0 where the numerical one is not (\(zeroed.count) of \(failing.count) failing entries): a missing term, or a gradient not accumulated."
                )
            }
            if let scale {
                if scale.isSignFlip {
                    add(
                        .sign,
                        "The analytic gradient of \(block.name) is the numerical one with the sign flipped (a = −n within every entry's bound, over \(entries.count) entries): a sign slip, e.g. an output delta y − a instead of a − y."
                    )
                } else {
                    let whole =
                        failing.isEmpty
                        ? " No entry alone is off beyond its bound; the block as a whole shows it\(objective.precision == .float32 ? " (in float64 each entry would)" : "")."
                        : ""
                    add(
                        .scale,
                        "The analytic gradient of \(block.name), within every entry's bound over \(entries.count) entries, is \(scale.text) × the numerical one\(nameScale(scale.factor, examples: m)).\(whole)"
                    )
                }
            }
            if isTransposed(a: a, n: n, entries: entries, shape: block.shape) {
                add(
                    .transpose,
                    "The analytic gradient of \(block.name) matches the numerical one transposed: the weight gradient was computed as δᵀ·X where X·δᵀ was needed (or the other way round)."
                )
            }
            // a − n ≈ c·θ over the whole block, or over its failing entries only (a regulariser
            // applied to a bias column that should be left out).
            let wholeFit = BlockFits.parameters(entries, theta: theta).flatMap { $0.explains ? $0 : nil }
            let failingFit =
                failing.count < entries.count
                ? BlockFits.parameters(failing, theta: failing.map { x[block.offset + $0.index] }).flatMap {
                    $0.explains ? $0 : nil
                } : nil
            let offset = scale == nil ? BlockFits.offset(entries) : nil
            if let offset {
                add(
                    .offset,
                    "The analytic gradient of \(block.name) is the numerical one plus the same constant on every entry, a − n = \(BlockFits.withUncertainty(offset.value, offset.uncertainty)) over \(entries.count) entries: a term that should depend on the entry is missing or added as a whole (e.g. batch normalisation's −mean(g) term)."
                )
            }
            if scale == nil, offset == nil, let fit = wholeFit ?? failingFit {
                let c = fit.coefficient
                let scope =
                    wholeFit == nil ? " on the \(failing.count) failing entries" : " over \(entries.count) entries"
                var message =
                    "The mismatch of \(block.name) is proportional to the parameters\(scope), within each entry's bound: a − n ≈ \(shortNumber(c))·θ"
                if let lm = lambdaOverM, lm > 0 {
                    let ratio = c / lm
                    if abs(ratio - 1) < 0.05 {
                        message +=
                            " = (λ/m)·θ: the gradient has a regularisation term that the cost does not (a regularised bias, or a factor 2 in the regulariser's gradient)."
                    } else if abs(ratio + 1) < 0.05 {
                        message += " = −(λ/m)·θ: the cost is regularised here but the gradient is not."
                    } else {
                        message += " = \(shortNumber(ratio))·(λ/m)·θ: the regulariser's gradient is off by that factor."
                    }
                } else {
                    message +=
                        ": a regularisation term in the gradient that the cost does not have, or the other way round."
                }
                add(.regularization, message)
            }
            if isBiasOnly(
                failing: failing, block: block, blocks: objective.blocks, verdicts: report.blocks.map(\.verdict))
            {
                add(
                    .biasOnly,
                    block.role == .bias
                        ? "Only the bias \(block.name) is wrong; the weights of its layer pass."
                        : "Only column 0 of \(block.name) is wrong: the bias column of a Θ = [b | W] layout.")
            }
            if !findings.contains(where: { $0.code == .singleEntry }),
                let concentrated = concentration(failing: failing, entries: entries, shape: block.shape)
            {
                add(.concentrated, concentrated)
            }
            report.blocks[bi].diagnosis = findings
        }

        // Known mistakes, by reproducing the analytic gradient exactly: said once for the model,
        // marked on each failing block.
        var explainedByHypothesis = false
        if let diagnosable {
            for h in diagnosable.hypotheses() where matches(gradient, h.gradient) {
                explainedByHypothesis = true
                report.diagnosis.append(CheckFinding(code: h.code, message: h.message))
                for bi in report.blocks.indices where report.blocks[bi].verdict == .fail {
                    report.blocks[bi].diagnosis.append(
                        CheckFinding(code: h.code, message: h.message, block: objective.blocks[bi].name))
                }
            }
        }

        let failingBlocks = report.blocks.indices.filter { report.blocks[$0].verdict == .fail }
        // One factor on every failing block: said once for the model.
        var explainedByScale = false
        if failingBlocks.count >= 2, failingBlocks.allSatisfy({ scales[$0] != nil }) {
            let fits = failingBlocks.map { scales[$0]! }
            let c = fits[0].factor
            if fits.allSatisfy({ abs($0.factor - c) <= 3 * ($0.uncertainty + fits[0].uncertainty) }) {
                explainedByScale = true
                let code: CheckFinding.Code = fits[0].isSignFlip ? .sign : .scale
                let what =
                    code == .sign
                    ? "has its sign flipped: a sign slip that reaches every layer, e.g. an output delta y − a instead of a − y"
                    : "is \(fits[0].text) × the numerical one\(nameScale(c, examples: m))"
                report.diagnosis.append(
                    CheckFinding(
                        code: code,
                        message:
                            "Every failing block's gradient (\(failingBlocks.count) of \(report.blocks.count): \(failingBlocks.map { report.blocks[$0].name }.joined(separator: ", "))) \(what)."
                    ))
            }
        }
        // Directional mode: one factor across every direction's g·v, said for the model.
        if report.entries.isEmpty, !report.directions.isEmpty {
            let pseudo = report.directions.enumerated().filter { $0.element.verdict != .kink }.map { k, d in
                EntryResult(
                    block: "", blockIndex: -1, index: k, analytic: d.analytic, numeric: d.numeric, bound: d.bound,
                    verdict: d.verdict, step: 0, truncation: 0, noise: 0)
            }
            if let fit = BlockFits.scale(pseudo), fit.differsFromOne {
                explainedByScale = true
                let sign = fit.isSignFlip
                report.diagnosis.append(
                    CheckFinding(
                        code: sign ? .sign : .scale,
                        message:
                            "Every direction's g·v (\(pseudo.count)), within each direction's bound, is \(sign ? "the directional derivative with its sign flipped: one sign slip on the whole gradient" : "\(fit.text) × the directional derivative\(nameScale(fit.factor, examples: m))")."
                    ))
            }
        }
        let explainedLocally = failingBlocks.allSatisfy { bi in
            report.blocks[bi].diagnosis.contains { $0.code == .regularization }
        }

        // The first block to go wrong in backprop order (blocks are listed input to output).
        if failingBlocks.count >= 2, !explainedByHypothesis, !explainedByScale, !explainedLocally,
            let last = failingBlocks.last
        {
            report.diagnosis.append(
                CheckFinding(
                    code: .firstFailingBlock,
                    message:
                        "\(report.blocks[last].name) is the failing block nearest the output: backprop computes its gradient before the other \(failingBlocks.count - 1) failing block(s), which may inherit its error through the backward pass; fix it first.",
                    block: report.blocks[last].name))
        }
    }

    /// For a 2-D block (r, c): whether a equals n transposed (square), or the row-major
    /// flattening of nᵀ (a (c, r) gradient written into an (r, c) block). Needs every entry.
    static func isTransposed(a: [Double], n: [Double], entries: [EntryResult], shape: [Int]) -> Bool {
        guard shape.count == 2, shape[0] > 1, shape[1] > 1, entries.count == shape[0] * shape[1] else { return false }
        let (r, c) = (shape[0], shape[1])
        var byIndex = [Double](repeating: 0, count: r * c)
        for e in entries { byIndex[e.index] = e.numeric }
        var analytic = [Double](repeating: 0, count: r * c)
        for e in entries { analytic[e.index] = e.analytic }
        // nᵀ flattened row-major: entry (j, i) of the c×r transpose at j·r + i.
        var transposed = [Double](repeating: 0, count: r * c)
        for i in 0..<r { for j in 0..<c { transposed[j * r + i] = byIndex[i * c + j] } }
        let diff = zip(analytic, transposed).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
        let size = analytic.map { $0 * $0 }.reduce(0, +).squareRoot()
        let direct = zip(analytic, byIndex).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
        return size > 0 && diff <= fitTolerance * size && direct > 10 * diff
    }

    /// A failing bias whose layer's weight blocks all pass (blocks named `layer.bias` and
    /// `layer.weight`/`layer.kernel`), or column 0 alone failing in a Θ = [b | W] block.
    static func isBiasOnly(
        failing: [EntryResult], block: ObjectiveBlock, blocks: [ObjectiveBlock], verdicts: [CheckVerdict]
    ) -> Bool {
        guard !failing.isEmpty else { return false }
        if block.role == .bias {
            let layer = layerName(block.name)
            let weights = blocks.indices.filter { blocks[$0].role != .bias && layerName(blocks[$0].name) == layer }
            return weights.allSatisfy { verdicts[$0] == .pass }
        }
        guard block.shape.count == 2, block.shape[1] > 1 else { return false }
        return failing.allSatisfy { $0.index % block.shape[1] == 0 }
    }

    /// `layer2` of `layer2.bias`.
    static func layerName(_ block: String) -> Substring {
        block.lastIndex(of: ".").map { block[..<$0] } ?? Substring(block)
    }

    /// Failures confined to a strict minority of the rows (or columns) checked of a 2-D block.
    static func concentration(failing: [EntryResult], entries: [EntryResult], shape: [Int]) -> String? {
        guard shape.count == 2, failing.count > 1 else { return nil }
        let c = shape[1]
        let rows = Set(failing.map { $0.index / c }), cols = Set(failing.map { $0.index % c })
        let checkedRows = Set(entries.map { $0.index / c }), checkedCols = Set(entries.map { $0.index % c })
        if 2 * rows.count < checkedRows.count {
            return
                "The failures sit in \(rows.count) of the \(checkedRows.count) rows checked: \(rows.sorted().prefix(8).map(String.init).joined(separator: ", "))."
        }
        if 2 * cols.count < checkedCols.count {
            return
                "The failures sit in \(cols.count) of the \(checkedCols.count) columns checked: \(cols.sorted().prefix(8).map(String.init).joined(separator: ", "))."
        }
        return nil
    }

    /// m, 1/m, 2 and ½ by name.
    static func nameScale(_ c: Double, examples m: Int?) -> String {
        func near(_ x: Double) -> Bool { abs(c / x - 1) < 0.01 }
        if let m, m > 1 {
            if near(Double(m)) { return " = m (\(m) examples): a missing 1/m" }
            if near(1 / Double(m)) { return " = 1/m: an extra 1/m (a mean taken twice)" }
        }
        if near(2) { return ": a factor 2 (e.g. d(x²)/dx = 2x where x was meant, or a ½ forgotten in the cost)" }
        if near(0.5) { return ": a factor ½ (e.g. a ½ in the gradient that the cost does not have)" }
        return ""
    }

    static func position(_ index: Int, in shape: [Int]) -> String {
        guard shape.count == 2 else { return "[\(index)]" }
        return "[\(index / shape[1]), \(index % shape[1])]"
    }

    /// Whether two gradients agree to ~1e-6 relative (the hypothesis reproduces the gradient).
    static func matches(_ a: [Double], _ b: [Double], tolerance: Double = 1e-6) -> Bool {
        guard a.count == b.count else { return false }
        let diff = zip(a, b).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
        let size = a.map { $0 * $0 }.reduce(0, +).squareRoot()
        return diff <= tolerance * max(size, 1e-300)
    }
}
