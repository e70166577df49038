import ArgumentParser
import Foundation
import GradCheck
import NeuralNet
import Plotting
import TensorCore

/// `gradscope tour`: the four questions, answered on built-in networks and the bundled digits,
/// with every report in one folder behind an index.html.
struct Tour: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Walk through GradScope's four questions on built-in networks and the bundled digits.",
        discussion: """
            1. ex4's network, checked and passing (in float32 too).
            2. The same network with the classic regularisation bug, diagnosed.
            3. How close is close enough: the error-vs-step sweep.
            4. Softmax backward with only the Jacobian's diagonal, caught.
            5. Sigmoid against ReLU: gradient flow on digits, vanishing
               gradients diagnosed; the default digits network trained.
            Writes everything to --out with an index.html (about a second in a
            release build).

            Exit status: 0 when every step showed what it should, 1 otherwise,
            64 bad flags, 73 --out cannot be written (permission denied, holding
            files other than an earlier tour's, or in use by another tour).

            Examples:
              swift run -c release gradscope tour
              gradscope tour --out /tmp/tour --epochs 5
            """
    )

    @Option(help: "Folder for the reports.")
    var out = "gradscope-tour"

    @Option(help: "Training epochs for the gradient-flow step.")
    var epochs = 12

    func run() throws {
        let folder: RunFolder
        do { folder = try RunFolder.claim(out, command: "tour", .replaceOwn) } catch let failure as CLIError {
            FileHandle.standardError.write(Data("gradscope tour: \(failure.description)\n".utf8))
            throw ExitCode(failure.exitCode)
        }
        defer { withExtendedLifetime(folder) {} }
        var steps = [TourStep]()
        steps.append(try stepCheck())
        steps.append(try stepBug())
        steps.append(try stepSweep())
        steps.append(try stepSoftmax())
        steps.append(try stepGradientFlow())
        try writeIndex(steps)
        let failed = steps.filter { !$0.asExpected }
        print("\nindex: \(out)/index.html")
        if !failed.isEmpty {
            print("steps that did not show what they should: \(failed.map(\.title).joined(separator: "; "))")
            throw ExitCode(ExitStatus.failed)
        }
    }

    /// One step of the tour: what it asked, what it found, and the files it wrote.
    struct TourStep {
        var title: String
        var question: String
        var finding: String
        var files: [String]
        var asExpected: Bool
    }

    func write(_ text: String, _ name: String) throws -> String {
        let path = (out as NSString).appendingPathComponent(name)
        do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw CLIError.output("cannot write \(path): \(describe(error))")
        }
        return name
    }

    func header(_ n: Int, _ title: String, _ question: String) {
        print("\n━━ \(n)/5  \(title)\n   \(question)\n")
    }

    func saveReport(_ report: GradientReport, title: String, stem: String) throws -> [String] {
        [
            try write(TextReport.commandLine(title: title, rowsPerBlock: 5).render(report), stem + ".txt"),
            try write(JSONReport.render(report, pretty: true), stem + ".json"),
            try write(HTMLReport.commandLine(title: title).render(report), stem + ".html")
        ]
    }

    func stepCheck() throws -> TourStep {
        header(
            1, "Is ex4's gradient right?",
            "Ng's checkNNGradients network (3 → 5 → 3, λ = 3), every entry against calibrated bounds.")
        let problem: SupervisedProblem<Double> = try Preset.ex4Debug.problem(ArchitectureSpec(lambda: 3))
        let report = checkSeparatingRegularization(try ModelObjective(problem))
        print(
            TextReport.commandLine(title: "ex4-debug, λ = 3", rowsPerBlock: 2, color: Terminal.isColorTTY).render(
                report))
        let single: SupervisedProblem<Float> = try Preset.ex4Debug.problem(ArchitectureSpec(lambda: 3))
        let float = check(try ModelObjective(single))
        print(
            "The same network in float32: \(float.verdict.rawValue.uppercased()) (noise σ = \(shortNumber(float.noise)), bounds widen with it; no magic threshold)."
        )
        let files =
            try saveReport(report, title: "ex4-debug, λ = 3", stem: "1-ex4-check")
            + saveReport(float, title: "ex4-debug, λ = 3, float32", stem: "1-ex4-check-float32")
        return TourStep(
            title: "1. ex4's gradient", question: "Is the hand-written backprop of ex4's network right?",
            finding:
                "float64: \(report.verdict.rawValue); float32: \(float.verdict.rawValue); Ng's ratio \(shortNumber(report.anchors.ngRelativeDifference))",
            files: files, asExpected: report.verdict == .pass && float.verdict == .pass)
    }

    func stepBug() throws -> TourStep {
        let bug = BugZoo.Bug.biasRegularizedInGradient
        header(2, "Where is the bug?", "The same network, with \(bug.summary).")
        let report = checkSeparatingRegularization(try bug.objective())
        print(
            TextReport.commandLine(title: "--bug \(bug.rawValue)", rowsPerBlock: 3, color: Terminal.isColorTTY).render(
                report))
        let codes = Set(report.blocks.flatMap(\.diagnosis).map(\.code) + report.diagnosis.map(\.code))
        let caught = report.verdict == .fail && codes.contains(.regularization) && codes.contains(.biasOnly)
        return TourStep(
            title: "2. a classic bug",
            question: "Where is the bug when the bias is regularised in the gradient but not in the cost?",
            finding: "\(report.verdict.rawValue); findings: \(codes.map(\.rawValue).sorted().joined(separator: ", "))",
            files: try saveReport(report, title: "--bug \(bug.rawValue)", stem: "2-bias-regularisation-bug"),
            asExpected: caught)
    }

    func stepSweep() throws -> TourStep {
        header(
            3, "How close is close enough?",
            "Central differences against the step h: truncation ∝ h² on the right, rounding ∝ σ/h on the left.")
        let objective = try ModelObjective(
            try Preset.ex4Debug.problem(ArchitectureSpec(lambda: 3)) as SupervisedProblem<Double>)
        let report = check(objective)
        let worst = report.entries.sorted { $0.error / $0.bound > $1.error / $1.bound }.prefix(3)
        let result = try GradCheck.sweep(
            objective, coordinates: worst.map { objective.blocks[$0.blockIndex].offset + $0.index }, report: report)
        let table = SweepReport.table(result)
        print(table)
        let files = [try write(SweepReport.svg(result), "3-sweep.svg"), try write(table, "3-sweep.txt")]
        let vShaped = result.curves.allSatisfy { c in
            let e = c.points.map(\.error)
            let best = e.indices.min { e[$0] < e[$1] }!
            return best > 0 && best < e.count - 1
        }
        return TourStep(
            title: "3. step size", question: "How close is close enough?",
            finding:
                "best central-difference errors \(result.curves.map { shortNumber($0.points.map(\.error).min()!) }.joined(separator: ", ")) near h ≈ 1e-5; the checker's chosen step \(shortNumber(result.curves[0].chosenStep))",
            files: files, asExpected: vShaped)
    }

    func stepSoftmax() throws -> TourStep {
        header(
            4, "How do I backprop softmax?",
            "Its Jacobian is diag(s) − s·sᵀ, so the VJP is s ⊙ (g − ⟨g, s⟩). Dropping −s·sᵀ (g ⊙ s(1 − s)) is the classic mistake."
        )
        let z = [0.3, -1.2, 2.0, 0.5]
        let f: @Sendable ([Double]) -> [Double] = { x in
            Softmax<Double>.rows(Tensor(shape: [1, x.count], scalars: x)).scalars
        }
        let right = checkJacobian(at: z, outputs: 4, function: f) { x, v in
            Softmax<Double>.vectorJacobianProduct(
                Tensor(shape: [1, 4], scalars: v), softmax: Tensor(shape: [1, 4], scalars: f(x))
            ).scalars
        }
        let wrong = checkJacobian(at: z, outputs: 4, function: f) { x, v in
            let s = f(x)
            return (0..<4).map { v[$0] * s[$0] * (1 - s[$0]) }
        }
        print("Jacobian check, exact VJP:        \(right.verdict.rawValue.uppercased())")
        print(
            "Jacobian check, diagonal only:    \(wrong.verdict.rawValue.uppercased()) — \(wrong.diagnosis.first { $0.code == .softmaxDiagonal }?.message ?? "")"
        )
        let model = checkSeparatingRegularization(try BugZoo.Bug.softmaxDiagonal.objective())
        print(
            TextReport.commandLine(
                title: "--bug softmax-diagonal (a network with a Softmax layer and cross-entropy)", rowsPerBlock: 2,
                color: Terminal.isColorTTY
            ).render(model))
        let codes = Set(model.diagnosis.map(\.code))
        return TourStep(
            title: "4. softmax", question: "How do I backprop softmax?",
            finding:
                "exact VJP \(right.verdict.rawValue); diagonal-only \(wrong.verdict.rawValue) (\(wrong.diagnosis.map(\.code.rawValue).joined(separator: ", "))); in a network: \(model.verdict.rawValue)",
            files: try saveReport(model, title: "--bug softmax-diagonal", stem: "4-softmax-diagonal-bug"),
            asExpected: right.passed && wrong.verdict == .fail && codes.contains(.softmaxDiagonal))
    }

    func writeIndex(_ steps: [TourStep]) throws {
        var blocks: [HTMLBlock] = [
            .paragraph("GradScope answers four questions with measurements. Each step below links to its reports.")
        ]
        for step in steps {
            var section: [HTMLBlock] = [
                .paragraph(step.question),
                .paragraph("Found: \(step.finding)\(step.asExpected ? "" : " (NOT as expected)")")
            ]
            for file in step.files where file.hasSuffix(".svg") {
                if let svg = try? String(
                    contentsOfFile: (out as NSString).appendingPathComponent(file), encoding: .utf8)
                {
                    section.append(.figure(svg: svg, caption: file))
                }
            }
            section.append(.links(step.files.map { HTMLLink($0, href: $0) }))
            blocks.append(.section(HTMLSection(title: step.title, blocks: section)))
        }
        _ = try write(HTMLPage(title: "GradScope tour", blocks: blocks).render(), "index.html")
    }
}
