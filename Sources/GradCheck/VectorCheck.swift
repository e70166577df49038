import Foundation
import TensorCore

/// How a vector-valued check covers the Jacobian.
public struct JacobianOptions: Sendable, Hashable {
    /// Random cotangent projections when the Jacobian is too large to check whole.
    public var projections: Int = 3
    /// The whole Jacobian (one row per output) is checked when m ≤ `maxRows` and m·n ≤
    /// `maxEntries`; otherwise `projections` random cotangents are.
    public var maxRows: Int = 256
    public var maxEntries: Int = 1 << 17
    public init(projections: Int = 3) {
        precondition(projections > 0, "JacobianOptions: projections must be positive, got \(projections)")
        self.projections = projections
    }
}

/// Checks a vector-valued function's backward pass (its vector-Jacobian products) against
/// calibrated numerical derivatives, with the same engine, bounds and verdicts as ``check(_:configuration:)``.
///
/// 1. The VJP's structure (``VJPStructure``): a zero cotangent gives zero, the VJP is linear in
///    the cotangent (α·c and c₁ + c₂), two identical calls agree, its length is n.
/// 2. Rows: when the Jacobian is small, each output k is a row (cotangent eₖ, so cᵀJ is row k of
///    J); otherwise K random Rademacher cotangents, each restricted to one output block at a
///    time (so a failure is localised to its (output, input) pair). Each row is a scalar
///    objective ⟨c, F⟩ checked entry by entry; all rows share the program's evaluations
///    (``ProjectionCache``), at one relative step set from the noise of a random projection.
/// 3. Blocks are the (output, input) pairs, ordered by input then output, named `∂out/∂in`; a
///    pair's entries form the matrix [rows of that output] × [entries of that input], which
///    ``JacobianDiagnosis`` reads for patterns (diagonal-only, transpose, scale, sign, …).
public func checkJacobian(
    _ objective: some VectorObjective,
    configuration: CheckConfiguration = CheckConfiguration(),
    options: JacobianOptions = JacobianOptions()
) -> GradientReport {
    let start = Date()
    var report = emptyReport(objective, configuration)
    var evaluations = 0
    do {
        try runJacobianCheck(objective, configuration, options, into: &report, evaluations: &evaluations)
    } catch {
        report.verdict = .error
        report.errorMessage = error.description
    }
    report.evaluations = evaluations
    report.seconds = Date().timeIntervalSince(start)
    return report
}

private func emptyReport(_ objective: some VectorObjective, _ configuration: CheckConfiguration) -> GradientReport {
    var report = GradientReport(
        verdict: CheckVerdict.error, value: Double.nan, blocks: [], entries: [], diagnosis: [],
        anchors: AnchorFigures(analytic: [], numeric: []), evaluations: 0, seconds: 0,
        mode: configuration.mode.name, precision: objective.precision, noise: Double.nan, noiseSource: "",
        safetyFactor: configuration.safetyFactor, seed: configuration.seed, directions: [], errorMessage: String?.none)
    report.kind = "jacobian"
    report.outputs = objective.outputs
    return report
}

/// One row of the check: its cotangent, and which output block and row within it it stands for.
struct JacobianRow {
    var cotangent: [Double]
    var output: Int
    /// The row within its pair blocks: the output's local index (full) or the projection (projections).
    var local: Int
}

private func runJacobianCheck(
    _ objective: some VectorObjective, _ configuration: CheckConfiguration,
    _ options: JacobianOptions, into report: inout GradientReport,
    evaluations: inout Int
) throws(EvaluationError) {
    let n = objective.point.count, m = objective.outputCount
    guard objective.blocks.reduce(0, { $0 + $1.count }) == n else {
        throw .failed("the input blocks do not cover the point's \(n) entries")
    }
    guard m > 0 else { throw .failed("the function has no outputs") }
    if configuration.shard != nil {
        throw .failed(
            "shards split the entries of scalar costs; a vector-valued program's Jacobian is checked in one run (its rows share every evaluation)"
        )
    }
    var rng = PRNG(seed: configuration.seed ^ 0x9E37_79B9_7F4A_7C15)

    // 1. The VJP's structure.
    let structure = try VJPStructure.check(objective, rng: &rng)
    evaluations += structure.pullbacks
    report.value = structure.base.reduce(0) { $0 + $1 * $1 }.squareRoot()
    report.diagnosis += structure.findings
    if structure.wrongShape {
        report.verdict = .fail
        report.blocks = pairBlocks(objective, full: true, projections: 0).map {
            BlockResult(
                name: $0.name, shape: $0.shape, verdict: .fail, maxError: .nan, failing: 0, checked: 0,
                inconclusive: 0, kinks: 0, diagnosis: [], output: $0.output, input: $0.input)
        }
        return
    }

    // 2. The rows and their pullbacks.
    let full =
        m <= options.maxRows && m.multipliedReportingOverflow(by: n).partialValue <= options.maxEntries
        && !m.multipliedReportingOverflow(by: n).overflow
    report.jacobian = full ? "full" : "projections"
    var rows = [JacobianRow]()
    if full {
        for (oi, o) in objective.outputs.enumerated() {
            for k in 0..<o.count {
                var c = [Double](repeating: 0, count: m)
                c[o.offset + k] = 1
                rows.append(JacobianRow(cotangent: c, output: oi, local: k))
            }
        }
    } else {
        for p in 0..<options.projections {
            let c = (0..<m).map { _ in rng.next() & 1 == 0 ? 1.0 : -1.0 }
            for (oi, o) in objective.outputs.enumerated() {
                var restricted = [Double](repeating: 0, count: m)
                for i in o.range { restricted[i] = c[i] }
                rows.append(JacobianRow(cotangent: restricted, output: oi, local: p))
            }
        }
    }
    let pulled = try objective.pullbacks(rows.map(\.cotangent))
    evaluations += pulled.count
    guard pulled.count == rows.count else {
        throw .failed("the program returned \(pulled.count) answers for \(rows.count) pullbacks")
    }
    if let bad = pulled.firstIndex(where: { $0.gradient.count != n }) {
        throw .failed(
            "the vector-Jacobian product for row \(bad) has \(pulled[bad].gradient.count) entries, expected \(n)")
    }
    let cache = ProjectionCache(objective: objective, rows: full ? nil : rows.map(\.cotangent))
    let base = cache.project(structure.base)

    // One relative step for every row, from the noise of a random projection (the automatic
    // rule of the scalar check), unless the user fixed the step.
    var rowConfiguration = configuration
    rowConfiguration.diagnose = false
    if case .auto = configuration.step {
        let c = (0..<m).map { _ in rng.next() & 1 == 0 ? 1.0 : -1.0 }
        let pilot = PilotObjective(objective: objective, cotangent: c)
        var pilotRNG = PRNG(seed: configuration.seed)
        let f0 = zip(c, structure.base).reduce(0) { $0 + $1.0 * $1.1 }
        let noise = try NoiseLevel.measure(pilot, value: f0, spread: 0, rng: &pilotRNG)
        evaluations += noise.evaluations
        rowConfiguration.step = .relative(
            automaticStep(noise: noise.sigma, value: f0, precision: objective.precision, scale: 0))
    }

    // 3. Each row through the scalar engine.
    let total = rows.count
    var reports = [GradientReport]()
    var decidedMode = configuration.mode
    for r in rows.indices {
        var c = rowConfiguration
        if let progress = configuration.progress {
            c.progress = { done, count in progress(r * count + done, total * count) }
        }
        if r > 0 {
            // The first row made the evaluations and any budget decision; the others follow it.
            c.budget = nil
            c.planned = nil
            c.mode = decidedMode
        }
        let rowObjective = ProjectedObjective(cache: cache, row: r, value: base[r], gradient: pulled[r].gradient)
        var rowReport = check(rowObjective, configuration: c)
        if r == 0 {
            report.budget = rowReport.budget
            report.plan = rowReport.plan
            report.mode = rowReport.mode
            if let k = rowReport.budget?.perBlock { decidedMode = .sample(perBlock: k) }
        }
        if rowReport.verdict == .error { throw .failed(rowReport.errorMessage ?? "row \(r) could not be checked") }
        rowReport.diagnosis = []
        reports.append(rowReport)
    }
    evaluations += cache.evaluations
    report.noise = reports.map(\.noise).max() ?? .nan
    report.noiseSource = (reports.first?.noiseSource ?? "") + ", per row"

    // 4. Pair blocks, verdicts, diagnosis.
    assemble(
        objective, rows: rows, reports: reports, full: full, projections: options.projections,
        configuration: configuration, into: &report)
}

/// The (output, input) pair blocks, ordered by input then output.
func pairBlocks(
    _ objective: some VectorObjective, full: Bool, projections: Int
)
    -> [(name: String, shape: [Int], output: String, input: String, outputIndex: Int, inputIndex: Int, rows: Int)]
{
    var pairs = [
        (name: String, shape: [Int], output: String, input: String, outputIndex: Int, inputIndex: Int, rows: Int)
    ]()
    for (ii, input) in objective.blocks.enumerated() {
        for (oi, output) in objective.outputs.enumerated() {
            let rows = full ? output.count : projections
            let shape = (full ? output.shape : [projections]) + input.shape
            pairs.append(("∂\(output.name)/∂\(input.name)", shape, output.name, input.name, oi, ii, rows))
        }
    }
    return pairs
}

private func assemble(
    _ objective: some VectorObjective, rows: [JacobianRow], reports: [GradientReport], full: Bool,
    projections: Int, configuration: CheckConfiguration, into report: inout GradientReport
) {
    let pairs = pairBlocks(objective, full: full, projections: projections)
    let outputsCount = objective.outputs.count
    func pairIndex(output: Int, input: Int) -> Int { input * outputsCount + output }
    var entries = [EntryResult]()
    var blockEntries = [[EntryResult]](repeating: [], count: pairs.count)
    var directionalVerdicts = [[CheckVerdict]](repeating: [], count: pairs.count)
    for (r, row) in rows.enumerated() {
        let rowReport = reports[r]
        for e in rowReport.entries {
            let pi = pairIndex(output: row.output, input: e.blockIndex)
            let inCount = objective.blocks[e.blockIndex].count
            var moved = e
            moved.block = pairs[pi].name
            moved.blockIndex = pi
            moved.index = row.local * inCount + e.index
            blockEntries[pi].append(moved)
        }
        for (bi, b) in rowReport.blocks.enumerated() where rowReport.entries.isEmpty {
            directionalVerdicts[pairIndex(output: row.output, input: bi)].append(b.verdict)
        }
        for d in rowReport.directions {
            var moved = d
            moved.blocks = d.blocks.map { "∂\(objective.outputs[row.output].name)/∂\($0)" }
            report.directions.append(moved)
        }
    }
    var blocks = [BlockResult]()
    var findings = [CheckFinding]()
    for (pi, pair) in pairs.enumerated() {
        var list = blockEntries[pi].sorted { $0.index < $1.index }
        // A pair's scale is its whole slab of the Jacobian, not one row: an entry a row found
        // too small to judge is decided against the pair's size.
        let magnitude = list.map { max(abs($0.analytic), abs($0.numeric)) }
        let scale = (magnitude.map { $0 * $0 }.reduce(0, +) / Double(max(1, list.count))).squareRoot()
        for k in list.indices
        where list[k].verdict == .inconclusive && list[k].error <= list[k].bound
            && list[k].bound <= configuration.resolution * scale
        {
            list[k].verdict = .pass
        }
        // A pair whose analytic and numerical values are all zero within their bounds: this
        // output does not depend on this input.
        let noEffect =
            !list.isEmpty && list.allSatisfy { $0.verdict != .fail && $0.analytic == 0 && abs($0.numeric) <= $0.bound }
        if noEffect {
            for k in list.indices { list[k].verdict = .pass }
        }
        let failing = list.filter { $0.verdict == .fail }.count
        let inconclusive = list.filter { $0.verdict == .inconclusive }.count
        var verdict: CheckVerdict = failing > 0 ? .fail : inconclusive > 0 ? .inconclusive : .pass
        if list.isEmpty { verdict = CheckVerdict.combining(directionalVerdicts[pi]) }
        var block = BlockResult(
            name: pair.name, shape: pair.shape, verdict: verdict, maxError: list.map(\.error).max() ?? 0,
            failing: failing, checked: list.count, inconclusive: inconclusive,
            kinks: list.filter { $0.verdict == .kink }.count, diagnosis: [],
            output: pair.output, input: pair.input)
        block.detectableRelativeError = detectableRelativeError(list)
        if noEffect {
            block.diagnosis.append(
                CheckFinding(
                    code: .noEffect,
                    message:
                        "\(pair.output) does not depend on \(pair.input): analytic and numerical values are all zero within their bounds.",
                    block: pair.name))
        }
        if verdict == .fail {
            block.diagnosis += JacobianDiagnosis.findings(
                list, name: pair.name, rows: pair.rows,
                columns: objective.blocks[pair.inputIndex].count, full: full,
                output: pair.output, input: pair.input)
        }
        blocks.append(block)
        entries += list
    }
    report.blocks = blocks
    report.entries = entries
    report.anchors = AnchorFigures(analytic: entries.map(\.analytic), numeric: entries.map(\.numeric))
    findings += JacobianDiagnosis.acrossPairs(blocks)
    report.diagnosis += findings
    var verdict = CheckVerdict.combining(blocks.map(\.verdict))
    if report.diagnosis.contains(where: { $0.code.rawValue.hasPrefix("vjp-") }) { verdict = .fail }
    if reports.contains(where: { $0.diagnosis.contains { $0.code == .nondeterministic } }) { verdict = .fail }
    report.verdict = verdict
}

/// min over entries of bound / |numeric|: a uniform relative error ε shifts every entry by
/// ε·|n|, which the entry with the smallest such ratio would have seen.
func detectableRelativeError(_ entries: [EntryResult]) -> Double? {
    let ratios = entries.filter { $0.verdict != .kink && $0.numeric != 0 && $0.bound.isFinite }
        .map { $0.bound / abs($0.numeric) }
    return ratios.min()
}

/// A scalar objective ⟨c, F⟩ straight from the vector objective (for the step's pilot noise measurement).
struct PilotObjective<V: VectorObjective>: GradientObjective {
    let objective: V
    let cotangent: [Double]
    var blocks: [ObjectiveBlock] { objective.blocks }
    var point: [Double] { objective.point }
    var precision: Precision { objective.precision }
    func valueAndGradient() throws(EvaluationError) -> (value: Double, gradient: [Double]) {
        throw .failed("PilotObjective has no gradient")
    }
    func values(at offsets: [Perturbation]) throws(EvaluationError) -> [Sample] {
        try objective.outputValues(at: offsets).map { y in
            Sample(value: zip(cotangent, y).reduce(0) { $0 + $1.0 * $1.1 })
        }
    }
}
