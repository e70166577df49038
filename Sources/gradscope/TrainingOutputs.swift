import Foundation
import Plotting
import Training

/// One run as the output files show it: a run GradScope trained (`train`, `compare`, the
/// tour) or a program's own training loop it watched (`watch`, `diagnose --out`).
struct ReportedRun {
    var label: String
    var history: TrainingHistory
    var findings: [TrainingFinding]
    /// The summary table's "stopped" column, and the sentence when the run did not complete.
    var stopLabel: String
    var stopSentence: String?
    var seconds: Double
    /// Whether fixes name GradScope's flags (a run it trained) or the settings in words.
    var flags: Bool
    /// The report's "Settings" table: setting and value.
    var settingRows: [[String]]
    /// The run's entry in metrics.json.
    var json: any Encodable
}

extension ReportedRun {
    init(_ r: RunResult) {
        let c = r.configuration
        self.init(
            label: r.settings.label, history: r.history, findings: r.outcome.findings,
            stopLabel: r.outcome.stop.tableLabel,
            stopSentence: r.outcome.stop == .completed ? nil : r.outcome.stop.description, seconds: r.seconds,
            flags: true,
            settingRows: [
                ["architecture", r.architecture], ["parameters", "\(r.parameterCount)"],
                ["data", r.dataDescription],
                ["precision", r.settings.dtype.rawValue],
                ["initialisation", r.settings.initializer?.rawValue ?? "the preset's own"],
                ["optimizer", c.optimizer.summary], ["batch", "\(c.batchSize)"], ["epochs", "\(c.epochs)"],
                ["L2 λ", "\(r.l2Penalty)"], ["seed", "\(c.seed)"],
                ["monitor every", "\(c.monitorEvery) batches"]
            ],
            json: TrainingOutputs.RunJSON(
                label: r.settings.label, settings: r.settings, configuration: r.configuration,
                architecture: r.architecture,
                parameters: r.parameterCount, data: r.dataDescription, seconds: r.seconds,
                stop: r.outcome.stop.description,
                findings: r.outcome.findings.map { RenderedFinding($0) }, history: r.history))
    }
}

/// The files a run leaves in `--out`: metrics.csv, metrics.json, gradient-flow.svg, report.html.
enum TrainingOutputs {
    static func trainedIntroduction(_ what: String) -> String {
        "GradScope trained \(what) for real and watched the gradient flow per layer: the mean absolute weight change of every layer at every monitored batch (top), the update ratio ‖ΔW‖/‖W‖, and the cost. Curves of early layers that sit orders of magnitude below the later ones are the signature of vanishing gradients."
    }

    static func write(_ results: [RunResult], to directory: String, title: String) throws -> [String] {
        let introduction = trainedIntroduction(
            results.count == 1 ? "this network" : "these \(results.count) configurations")
        return try write(results.map(ReportedRun.init), to: directory, title: title, introduction: introduction)
    }

    static func write(
        _ runs: [ReportedRun], to directory: String, title: String, introduction: String
    ) throws -> [String] {
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw CLIError.output("cannot create \(directory): \(describe(error))")
        }
        let svg = GradientFlowFigure.chart(runs.map { ($0.label, $0.history) }, title: title).svg()
        let files: [(String, String)] = [
            ("metrics.csv", csv(runs)),
            ("metrics.json", json(runs)),
            ("gradient-flow.svg", svg),
            ("report.html", report(runs, svg: svg, title: title, introduction: introduction))
        ]
        var written = [String]()
        for (name, text) in files {
            let path = directory + "/" + name
            do { try AtomicFile.write(Array(text.utf8), to: path) } catch {
                throw CLIError.output("cannot write \(path): \(error.description)")
            }
            written.append(path)
        }
        return written
    }

    /// A CSV field (RFC 4180): in quotes, with quotes doubled, when it holds a comma, a quote
    /// or a line break (a watched program names its own layers).
    static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One row per monitor reading and layer (long format).
    static func csv(_ results: [ReportedRun]) -> String {
        var lines = [
            "run,step,epoch,loss,layer,activation,mean_abs_update,update_norm,weight_norm,gradient_norm,update_ratio,activation_mean,activation_std,saturation,dead_fraction"
        ]
        func f(_ x: Double?) -> String { x.map { "\($0)" } ?? "" }
        for result in results {
            for sample in result.history.samples {
                for (layer, s) in zip(result.history.layers, sample.layers) {
                    lines.append(
                        [
                            quoted(result.label), "\(sample.step)", "\(sample.epoch)", f(sample.loss),
                            quoted(layer.name), layer.activation,
                            f(s.meanAbsoluteUpdate), f(s.updateNorm), f(s.weightNorm), f(s.gradientNorm),
                            f(s.updateRatio),
                            f(s.activationMean), f(s.activationStandardDeviation), f(s.saturation), f(s.deadFraction)
                        ]
                        .joined(separator: ","))
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    struct RunJSON: Encodable {
        var label: String
        var settings: RunSettings
        var configuration: TrainingConfiguration
        var architecture: String
        var parameters: Int
        var data: String
        var seconds: Double
        var stop: String
        var findings: [RenderedFinding]
        var history: TrainingHistory
    }

    static func json(_ runs: [ReportedRun]) -> String {
        struct Runs: Encodable {
            var runs: [any Encodable]
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: Key.self)
                var list = c.nestedUnkeyedContainer(forKey: .runs)
                for run in runs { try list.encode(run) }
            }
            enum Key: CodingKey { case runs }
        }
        let encoder = CheckpointJSON.encoder
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return (try? encoder.encode(Runs(runs: runs.map(\.json)))).map { String(decoding: $0, as: UTF8.self) + "\n" }
            ?? "{}\n"
    }

    static func report(_ runs: [ReportedRun], svg: String, title: String, introduction: String) -> String {
        var page = HTMLPage(title: title)
        page.paragraph(introduction)
        page.figure(svg: svg, caption: "Gradient flow per layer over batches (log scale), above the cost.")
        page.section("Summary") { s in
            s.table(
                header: ["run", "stopped", "epochs", "test accuracy", "test loss", "train loss", "seconds", "findings"],
                rows: runs.map { r in
                    let last = r.history.epochs.last
                    return [
                        r.label, r.stopLabel, "\(r.history.epochs.count)",
                        last?.testAccuracy.map { String(format: "%.2f%%", 100 * $0) } ?? "–",
                        last?.testLoss.map { String(format: "%.4f", $0) } ?? "–",
                        last.map { String(format: "%.4f", $0.trainLoss) } ?? "–",
                        String(format: "%.1f", r.seconds),
                        r.findings.isEmpty ? "none" : r.findings.map(\.code.rawValue).joined(separator: ", ")
                    ]
                })
        }
        for r in runs {
            page.section(runs.count == 1 ? "Diagnosis" : "Diagnosis: \(r.label)") { s in
                if let sentence = r.stopSentence { s.paragraph(sentence) }
                if r.findings.isEmpty {
                    s.paragraph(
                        "No problem found: every layer updates within two orders of magnitude of the others, no saturation or dead units beyond the thresholds, and the update ratio is in range."
                    )
                }
                for f in r.findings {
                    s.heading("[\(f.code)] \(f.severity.rawValue): \(f.summary)", level: 3)
                    s.preformatted(
                        "Evidence:\n" + f.evidence.map { "  " + $0 }.joined(separator: "\n")
                            + "\nTry:\n"
                            + f.fixes.map { "  - " + (r.flags ? SettingFlags.render($0) : $0.description) }
                            .joined(separator: "\n"))
                }
                s.table(
                    header: [
                        "layer", "activation", "median mean |ΔW|", "median ‖∇W‖", "median ‖ΔW‖/‖W‖", "saturated", "dead"
                    ],
                    rows: layerRows(r.history), caption: "Per layer, medians over the monitor readings")
            }
        }
        for r in runs {
            page.section(runs.count == 1 ? "Settings" : "Settings: \(r.label)") { s in
                s.table(header: ["setting", "value"], rows: r.settingRows)
                s.table(
                    header: ["epoch", "train loss", "train accuracy", "test loss", "test accuracy", "seconds"],
                    rows: r.history.epochs.map { e in
                        [
                            "\(e.epoch)", String(format: "%.4f", e.trainLoss),
                            e.trainAccuracy.map { String(format: "%.2f%%", 100 * $0) } ?? "–",
                            e.testLoss.map { String(format: "%.4f", $0) } ?? "–",
                            e.testAccuracy.map { String(format: "%.2f%%", 100 * $0) } ?? "–",
                            String(format: "%.1f", e.seconds)
                        ]
                    }, caption: "Per epoch")
            }
        }
        return page.render()
    }

    static func layerRows(_ history: TrainingHistory) -> [[String]] {
        history.layers.enumerated().map { l, layer in
            func median(_ f: (LayerSample) -> Double?) -> Double? {
                let v = history.samples.compactMap { f($0.layers[l]) }.sorted()
                return v.isEmpty ? nil : v[v.count / 2]
            }
            func sci(_ x: Double?) -> String { x.map { String(format: "%.3g", $0) } ?? "–" }
            func pct(_ x: Double?) -> String { x.map { String(format: "%.0f%%", 100 * $0) } ?? "–" }
            return [
                layer.name, layer.activation, sci(median { $0.meanAbsoluteUpdate }), sci(median { $0.gradientNorm }),
                sci(median { $0.updateRatio }), pct(median { $0.saturation }), pct(median { $0.deadFraction })
            ]
        }
    }
}

extension StopReason {
    /// The "stopped" column of the report's summary table.
    var tableLabel: String {
        switch self {
        case .completed: return "completed"
        case .nonFiniteLoss: return "NaN/Inf loss"
        case .interrupted: return "interrupted"
        }
    }
}
