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

/// Names the pattern of a failing block: scale, sign, transpose, regularisation, bias-only,
/// zero-gradient, concentrated rows/columns, single-entry, softmax-diagonal, nondeterministic, and
/// known mistakes by hypothesis. Each finding has a stable code and a plain sentence.
enum CheckDiagnosis {
    /// Relative residual below which a fitted pattern is accepted.
    static let fitTolerance = 0.02

    static func run(_ report: inout GradientReport, objective: some GradientObjective, gradient: [Double]) {
        guard report.verdict == .fail else { return }
        let diagnosable = objective as? any DiagnosableObjective
        let x = objective.point
        let m = objective.exampleCount
        let lambdaOverM: Double? = diagnosable?.regularization.map { $0.lambda / Double($0.examples) }

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

            // Exact, whole-block patterns first.
            if failing.count == 1, entries.count > 1 {
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
            if let c = fitScale(a, n), abs(c - 1) > 0.01 {
                if abs(c + 1) < 0.01 {
                    add(
                        .sign,
                        "The analytic gradient of \(block.name) is the numerical one with the sign flipped (a ≈ −n): a sign slip, e.g. an output delta y − a instead of a − y."
                    )
                } else {
                    add(
                        .scale,
                        "The analytic gradient of \(block.name) is \(shortNumber(c)) × the numerical one\(nameScale(c, examples: m))."
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
            let failingFit = fitDifference(
                failing.map(\.analytic), failing.map(\.numeric),
                failing.map { x[block.offset + $0.index] })
            if let c = fitDifference(a, n, theta) ?? (failing.count < entries.count ? failingFit : nil), abs(c) > 0 {
                let scope = fitDifference(a, n, theta) == nil ? " on the failing entries" : ""
                var message =
                    "The mismatch of \(block.name) is proportional to the parameters\(scope): a − n ≈ \(shortNumber(c))·θ"
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
                failing: failing, block: block, allBlocksFailing: report.blocks.filter { $0.verdict == .fail }.count)
            {
                add(
                    .biasOnly,
                    block.role == .bias
                        ? "Only the bias \(block.name) is wrong; the weights pass."
                        : "Only column 0 of \(block.name) is wrong: the bias column of a Θ = [b | W] layout.")
            }
            if !findings.contains(where: { $0.code == .singleEntry }),
                let concentrated = concentration(failing: failing, entries: entries, shape: block.shape)
            {
                add(.concentrated, concentrated)
            }
            report.blocks[bi].diagnosis = findings
        }

        // Known mistakes, by reproducing the analytic gradient exactly.
        if let diagnosable {
            for h in diagnosable.hypotheses() where matches(gradient, h.gradient) {
                report.diagnosis.append(CheckFinding(code: h.code, message: h.message))
                for bi in report.blocks.indices where report.blocks[bi].verdict == .fail {
                    report.blocks[bi].diagnosis.append(
                        CheckFinding(code: h.code, message: h.message, block: objective.blocks[bi].name))
                }
            }
        }

        // The first block to go wrong in backprop order (blocks are listed input to output).
        if let last = report.blocks.lastIndex(where: { $0.verdict == .fail }) {
            let failingCount = report.blocks.filter { $0.verdict == .fail }.count
            let rest =
                failingCount > 1
                ? "; the \(failingCount - 1) other failing block(s) come earlier and may inherit its error" : ""
            report.diagnosis.append(
                CheckFinding(
                    code: .firstFailingBlock,
                    message: "\(report.blocks[last].name) is the first block in backprop order that goes wrong\(rest).",
                    block: report.blocks[last].name))
        }
    }

    /// Least-squares c in a ≈ c·n, when the fit is good.
    static func fitScale(_ a: [Double], _ n: [Double]) -> Double? {
        let nn = zip(n, n).map(*).reduce(0, +), an = zip(a, n).map(*).reduce(0, +)
        guard nn > 0 else { return nil }
        let c = an / nn
        let residual = zip(a, n).map { ($0 - c * $1) * ($0 - c * $1) }.reduce(0, +).squareRoot()
        let scale = a.map { $0 * $0 }.reduce(0, +).squareRoot()
        return residual <= fitTolerance * max(scale, 1e-300) ? c : nil
    }

    /// Least-squares c in a − n ≈ c·θ, when the fit is good.
    static func fitDifference(_ a: [Double], _ n: [Double], _ theta: [Double]) -> Double? {
        let d = zip(a, n).map(-)
        let tt = theta.map { $0 * $0 }.reduce(0, +)
        guard tt > 0 else { return nil }
        let c = zip(d, theta).map(*).reduce(0, +) / tt
        let residual = zip(d, theta).map { ($0 - c * $1) * ($0 - c * $1) }.reduce(0, +).squareRoot()
        let size = d.map { $0 * $0 }.reduce(0, +).squareRoot()
        return size > 0 && residual <= fitTolerance * size ? c : nil
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

    static func isBiasOnly(failing: [EntryResult], block: ObjectiveBlock, allBlocksFailing: Int) -> Bool {
        guard !failing.isEmpty else { return false }
        if block.role == .bias { return true }
        guard block.shape.count == 2, block.shape[1] > 1 else { return false }
        return failing.allSatisfy { $0.index % block.shape[1] == 0 }
    }

    /// Failures confined to a few rows or columns of a 2-D block.
    static func concentration(failing: [EntryResult], entries: [EntryResult], shape: [Int]) -> String? {
        guard shape.count == 2, failing.count > 1 else { return nil }
        let (r, c) = (shape[0], shape[1])
        let rows = Set(failing.map { $0.index / c }), cols = Set(failing.map { $0.index % c })
        if rows.count <= max(1, r / 4), rows.count < r {
            return
                "The failures sit in \(rows.count) of \(r) rows: \(rows.sorted().prefix(8).map(String.init).joined(separator: ", "))."
        }
        if cols.count <= max(1, c / 4), cols.count < c {
            return
                "The failures sit in \(cols.count) of \(c) columns: \(cols.sorted().prefix(8).map(String.init).joined(separator: ", "))."
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
