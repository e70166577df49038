import Foundation
import Plotting
import Training

/// The files a run leaves in `--out`: metrics.csv, metrics.json, gradient-flow.svg, report.html.
enum TrainingOutputs {
    static func write(_ results: [RunResult], to directory: String, title: String) throws -> [String] {
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw CLIError.output("cannot create \(directory): \(describe(error))")
        }
        let svg = GradientFlowFigure.chart(results.map { ($0.settings.label, $0.history) }, title: title).svg()
        let files: [(String, String)] = [
            ("metrics.csv", csv(results)),
            ("metrics.json", json(results)),
            ("gradient-flow.svg", svg),
            ("report.html", report(results, svg: svg, title: title))
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

    /// One row per monitor reading and layer (long format).
    static func csv(_ results: [RunResult]) -> String {
        var lines = [
            "run,step,epoch,loss,layer,activation,mean_abs_update,update_norm,weight_norm,gradient_norm,update_ratio,activation_mean,activation_std,saturation,dead_fraction"
        ]
        func f(_ x: Double?) -> String { x.map { "\($0)" } ?? "" }
        for result in results {
            for sample in result.history.samples {
                for (layer, s) in zip(result.history.layers, sample.layers) {
                    lines.append(
                        [
                            result.settings.label, "\(sample.step)", "\(sample.epoch)", f(sample.loss), layer.name,
                            layer.activation,
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

    static func json(_ results: [RunResult]) -> String {
        let runs = results.map {
            RunJSON(
                label: $0.settings.label, settings: $0.settings, configuration: $0.configuration,
                architecture: $0.architecture,
                parameters: $0.parameterCount, data: $0.dataDescription, seconds: $0.seconds,
                stop: $0.outcome.stop.description,
                findings: $0.outcome.findings.map { RenderedFinding($0) }, history: $0.history)
        }
        let encoder = CheckpointJSON.encoder
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return (try? encoder.encode(["runs": runs])).map { String(decoding: $0, as: UTF8.self) + "\n" } ?? "{}\n"
    }

    static func report(_ results: [RunResult], svg: String, title: String) -> String {
        var page = HTMLPage(title: title)
        page.paragraph(
            "GradScope trained \(results.count == 1 ? "this network" : "these \(results.count) configurations") for real and watched the gradient flow per layer: the mean absolute weight change of every layer at every monitored batch (top), the update ratio ‖ΔW‖/‖W‖, and the cost. Curves of early layers that sit orders of magnitude below the later ones are the signature of vanishing gradients."
        )
        page.figure(svg: svg, caption: "Gradient flow per layer over batches (log scale), above the cost.")
        page.section("Summary") { s in
            s.table(
                header: ["run", "stopped", "epochs", "test accuracy", "test loss", "train loss", "seconds", "findings"],
                rows: results.map { r in
                    [
                        r.settings.label, r.outcome.stop.tableLabel, "\(r.history.epochs.count)",
                        r.finalEpoch?.testAccuracy.map { String(format: "%.2f%%", 100 * $0) } ?? "–",
                        r.finalEpoch?.testLoss.map { String(format: "%.4f", $0) } ?? "–",
                        r.finalEpoch.map { String(format: "%.4f", $0.trainLoss) } ?? "–",
                        String(format: "%.1f", r.seconds),
                        r.outcome.findings.isEmpty
                            ? "none" : r.outcome.findings.map(\.code.rawValue).joined(separator: ", ")
                    ]
                })
        }
        for r in results {
            page.section(results.count == 1 ? "Diagnosis" : "Diagnosis: \(r.settings.label)") { s in
                if r.outcome.stop != .completed { s.paragraph(r.outcome.stop.description) }
                if r.outcome.findings.isEmpty {
                    s.paragraph(
                        "No problem found: every layer updates within two orders of magnitude of the others, no saturation or dead units beyond the thresholds, and the update ratio is in range."
                    )
                }
                for f in r.outcome.findings {
                    s.heading("[\(f.code)] \(f.severity.rawValue): \(f.summary)", level: 3)
                    s.preformatted(
                        "Evidence:\n" + f.evidence.map { "  " + $0 }.joined(separator: "\n")
                            + "\nTry:\n" + f.fixes.map { "  - " + SettingFlags.render($0) }.joined(separator: "\n"))
                }
                s.table(
                    header: [
                        "layer", "activation", "median mean |ΔW|", "median ‖∇W‖", "median ‖ΔW‖/‖W‖", "saturated", "dead"
                    ],
                    rows: layerRows(r.history), caption: "Per layer, medians over the monitor readings")
            }
        }
        for r in results {
            page.section(results.count == 1 ? "Settings" : "Settings: \(r.settings.label)") { s in
                let c = r.configuration
                s.table(
                    header: ["setting", "value"],
                    rows: [
                        ["architecture", r.architecture], ["parameters", "\(r.parameterCount)"],
                        ["data", r.dataDescription],
                        ["precision", r.settings.dtype.rawValue],
                        ["initialisation", r.settings.initializer?.rawValue ?? "the preset's own"],
                        ["optimizer", c.optimizer.summary], ["batch", "\(c.batchSize)"], ["epochs", "\(c.epochs)"],
                        ["L2 λ", "\(r.l2Penalty)"], ["seed", "\(c.seed)"],
                        ["monitor every", "\(c.monitorEvery) batches"]
                    ])
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
