import Datasets
import Foundation
import NeuralNet

/// Rules that read a run's gradient-flow history and say what is wrong, with the figures and
/// the fixes. Thresholds are in ``Thresholds``; docs/diagnosis-calibration.md records the runs
/// they were calibrated on (deep sigmoid vs ReLU/He networks on digits, saturating, dying and
/// diverging runs) and the margins each threshold leaves.
///
/// Every rule works on medians over monitor samples, which a few noisy batches do not move.
public enum Diagnosis {
    /// The calibrated thresholds.
    public enum Thresholds {
        /// Vanishing gradients: in a network with at least two hidden layers, some hidden
        /// layer's median mean |ΔW| is below this fraction of the largest layer's.
        public static let vanishingRatio = 0.02
        /// Exploding gradients, across depth: some layer's median mean |ΔW| is above this
        /// multiple of the last layer's.
        public static let explodingDepthRatio = 100.0
        /// Exploding gradients, over time: a layer's median ‖∇W‖ over the last fifth of the
        /// samples is above this multiple of the first fifth's, while the loss has not fallen
        /// (a deep sigmoid network escaping its plateau under Adam grows its early gradients
        /// 100-fold as it starts to learn; that is not an explosion).
        public static let explodingGrowth = 100.0
        /// Saturation: a layer's median fraction of saturated sigmoid/tanh units.
        public static let saturation = 0.5
        /// Dead ReLUs: a layer's median fraction of units dead for a whole batch.
        public static let deadFraction = 0.5
        /// Learning rate: the median update ratio ‖ΔW‖/‖W‖ over layers and samples, against
        /// cs231n's ≈ 10⁻³; or, for "too high", one reading whose median over layers exceeds
        /// ``updateRatioSpike`` (a step that moves the weights by 15% of their norm).
        public static let updateRatioTooHigh = 3e-2
        public static let updateRatioSpike = 0.15
        public static let updateRatioTooLow = 1e-5
        /// Saturation and dead units are judged on the median of at least this many monitor
        /// readings (each reading sees one batch; one batch of 32 says little).
        public static let minimumReadings = 3
    }

    /// The findings for `history`, most severe first. `run` says how the run was set up, so
    /// that no fix suggests a setting the run already uses (unknown fields leave the general
    /// advice); fixes name only settings that exist.
    public static func diagnose(
        _ history: TrainingHistory, stop: StopReason, run: RunDescription = RunDescription()
    ) -> [TrainingFinding] {
        let activation =
            run.activation
            ?? history.layers.lazy.compactMap(\.function).first { $0.isNonlinear }.flatMap {
                ActivationKind(rawValue: $0.name)
            }
        let run = RunDescription(
            activation: activation, initializer: run.initializer, optimizer: run.optimizer, l2Penalty: run.l2Penalty,
            inputScaling: run.inputScaling)
        var findings = [TrainingFinding]()
        if case let .nonFiniteLoss(epoch, batch, step, loss) = stop {
            findings.append(
                TrainingFinding(
                    code: .nonFiniteLoss, severity: .error,
                    summary:
                        "the loss became \(loss) at \(batch > 0 ? "epoch \(epoch), batch \(batch)" : "step \(step) (epoch \(epoch))"): \(wentOn(history) ? "the run went on, but what it learned after that is lost" : "training stopped")",
                    evidence: ["loss \(loss) at step \(step)"] + lastLosses(history),
                    figures: ["step": Double(step)],
                    fixes: ["lower the learning rate\(.learningRate), by 10× to start with"]
                        + (run.optimizer?.kind == .adam ? [] : ["use Adam\(.optimizer([.adam]))"])
                        + inputScalingFixes(
                            run,
                            "scale the inputs to [0, 1]\(.inputScaling(.unitInterval)): pixels of 0…255 make the first layer's steps 255 times too large",
                            unknown:
                                "check the inputs' scale\(.inputScaling(.unitInterval)) (pixels in [0, 1], not 0…255)"))
            )
        }
        let samples = history.samples
        guard !samples.isEmpty, !history.layers.isEmpty else { return findings }
        let layers = history.layers
        let updates = layers.indices.map { l in median(samples.map { $0.layers[l].meanAbsoluteUpdate }) }

        // Vanishing: early layers update orders of magnitude less than the most active one
        // (with at least two hidden layers: one hidden layer below its output layer is no depth).
        if layers.count >= 3, let largest = updates.max(), largest > 0 {
            let hidden = layers.indices.dropLast()
            if let worst = hidden.min(by: { updates[$0] < updates[$1] }),
                updates[worst] / largest < Thresholds.vanishingRatio
            {
                let ratio = updates[worst] / largest
                findings.append(
                    TrainingFinding(
                        code: .vanishingGradients, severity: .warning,
                        summary:
                            "\(layers[worst].name) updates \(orders(ratio)) less than \(layers[updates.firstIndex(of: largest)!].name): "
                            + (worst == 0
                                ? "the early layers are barely learning" : "the hidden layers are barely learning"),
                        evidence: layers.indices.map {
                            "\(layers[$0].name) (\(layers[$0].activation)): median mean |ΔW| \(format(updates[$0]))"
                        }
                            + ["ratio \(format(ratio)) < \(format(Thresholds.vanishingRatio))"],
                        figures: figures(layers, updates, "meanAbsoluteUpdate").merging(["ratio": ratio]) { a, _ in a },
                        fixes: fixesForVanishing(layers, run)))
            }
        }

        // Exploding across depth: early layers update orders of magnitude more than the last.
        if layers.count >= 2, let last = updates.last, last > 0,
            let worst = layers.indices.dropLast().max(by: { updates[$0] < updates[$1] }),
            updates[worst] / last > Thresholds.explodingDepthRatio
        {
            findings.append(
                TrainingFinding(
                    code: .explodingGradients, severity: .warning,
                    summary:
                        "\(layers[worst].name) updates \(orders(updates[worst] / last)) more than the output layer: gradients grow on their way down",
                    evidence: layers.indices.map { "\(layers[$0].name): median mean |ΔW| \(format(updates[$0]))" },
                    figures: figures(layers, updates, "meanAbsoluteUpdate"),
                    fixes: ["lower the learning rate\(.learningRate)"]
                        + (run.usesXavier || run.initializer == .he
                            ? []
                            : [
                                "use Xavier\(.initialization(.xavierUniform)) or He\(.initialization(.he)) initialisation instead of large weights"
                            ])))
        } else if samples.count >= 10 {
            // Exploding over time: gradient norms grow by orders of magnitude.
            let fifth = Swift.max(1, samples.count / 5)
            let growth = layers.indices.map { l -> Double in
                let early = median(samples.prefix(fifth).map { $0.layers[l].gradientNorm })
                let late = median(samples.suffix(fifth).map { $0.layers[l].gradientNorm })
                return early > 0 ? late / early : (late > 0 ? .infinity : 1)
            }
            let earlyLoss = median(samples.prefix(fifth).map(\.loss)),
                lateLoss = median(samples.suffix(fifth).map(\.loss))
            if let worst = growth.indices.max(by: { growth[$0] < growth[$1] }),
                growth[worst] > Thresholds.explodingGrowth,
                !(lateLoss < earlyLoss)
            {
                findings.append(
                    TrainingFinding(
                        code: .explodingGradients, severity: .warning,
                        summary: "\(layers[worst].name)'s gradient norm grew \(orders(growth[worst])) during training",
                        evidence: layers.indices.map {
                            "\(layers[$0].name): ‖∇W‖ grew ×\(format(growth[$0])) from the first to the last fifth of the run"
                        },
                        figures: figures(layers, growth, "gradientNormGrowth"),
                        fixes: ["lower the learning rate\(.learningRate)"] + penaltyFixes(run)))
            }
        }

        // Saturation of sigmoid/tanh units.
        let saturation = layers.indices.map { l in median(samples.compactMap { $0.layers[l].saturation }) }
        if samples.count >= Thresholds.minimumReadings,
            let worst = saturation.indices.filter({ !saturation[$0].isNaN }).max(by: { saturation[$0] < saturation[$1] }
            ),
            saturation[worst] > Thresholds.saturation
        {
            findings.append(
                TrainingFinding(
                    code: .saturation, severity: .warning,
                    summary:
                        "\(percent(saturation[worst])) of \(layers[worst].name)'s \(layers[worst].activation) units are saturated (f′ < 1% of its maximum): little gradient gets through",
                    evidence: layers.indices.filter { !saturation[$0].isNaN }.map {
                        "\(layers[$0].name) (\(layers[$0].activation)): median saturated fraction \(percent(saturation[$0]))"
                    },
                    figures: figures(layers, saturation, "saturation"),
                    fixes: reluFixes(run)
                        + (run.usesXavier || run.initializer == .he
                            ? []
                            : [
                                checkingInitialization(
                                    run,
                                    "use Xavier initialisation\(.initialization(.xavierUniform)) to keep pre-activations near zero"
                                )
                            ])
                        + inputScalingFixes(
                            run,
                            "standardise the inputs\(.inputScaling(.standardized)) (zero mean, unit variance per feature\(run.inputScaling.map { "; they are now \($0 == .raw ? "raw" : "in [0, 1]")" } ?? ""))",
                            unknown:
                                "check the inputs are standardised\(.inputScaling(.standardized)) (zero mean, unit variance per feature)",
                            alsoFrom: .unitInterval)
                        + ["lower the learning rate\(.learningRate)"]))
        }

        // Dead ReLUs.
        let dead = layers.indices.map { l in median(samples.compactMap { $0.layers[l].deadFraction }) }
        if samples.count >= Thresholds.minimumReadings,
            let worst = dead.indices.filter({ !dead[$0].isNaN }).max(by: { dead[$0] < dead[$1] }),
            dead[worst] > Thresholds.deadFraction
        {
            findings.append(
                TrainingFinding(
                    code: .deadReLU, severity: .warning,
                    summary:
                        "\(percent(dead[worst])) of \(layers[worst].name)'s units output zero for every example of a batch: they no longer learn",
                    evidence: layers.indices.filter { !dead[$0].isNaN }.map {
                        "\(layers[$0].name): median dead fraction \(percent(dead[$0]))"
                    },
                    figures: figures(layers, dead, "deadFraction"),
                    fixes: ["lower the learning rate\(.learningRate)"]
                        + (run.activation == .leakyReLU ? [] : ["use leaky ReLU\(.activation(.leakyReLU))"])
                        + (run.initializer == .he
                            ? []
                            : [
                                checkingInitialization(
                                    run,
                                    "use He initialisation\(.initialization(.he))\(run.initializer.map { " (the run uses \($0.rawValue))" } ?? "")"
                                )
                            ])))
        }

        // Learning rate against the update ratio.
        let ratios = samples.flatMap { $0.layers.map(\.updateRatio) }.filter(\.isFinite)
        let ratio = median(ratios)
        let spikes = samples.map { s in median(s.layers.map(\.updateRatio).filter(\.isFinite)) }
        let spike = spikes.filter { !$0.isNaN }.max() ?? 0
        if ratio > Thresholds.updateRatioTooHigh || spike > Thresholds.updateRatioSpike {
            let step = samples[spikes.firstIndex(of: spike) ?? 0].step
            findings.append(
                TrainingFinding(
                    code: .learningRateTooHigh, severity: .warning,
                    summary: ratio > Thresholds.updateRatioTooHigh
                        ? "each step changes the weights by \(format(ratio)) of their norm (median ‖ΔW‖/‖W‖), far above the ≈ 10⁻³ that usually works"
                        : "one step changed the weights by \(format(spike)) of their norm (step \(step)), two orders of magnitude above the ≈ 10⁻³ that usually works",
                    evidence: [
                        "median update ratio \(format(ratio)) (flagged above \(format(Thresholds.updateRatioTooHigh)))",
                        "largest reading \(format(spike)) at step \(step) (flagged above \(format(Thresholds.updateRatioSpike)))"
                    ]
                        + perLayerRatios(history, samples),
                    figures: ["updateRatio": ratio, "updateRatioSpike": spike],
                    fixes: [
                        "lower the learning rate\(.learningRate) by \(orders(Swift.max(ratio, spike) / 1e-3)) (update ratio \(format(Swift.max(ratio, spike))) against ≈ 10⁻³)"
                    ]
                        + (run.optimizer?.kind == .adam ? [] : ["use Adam\(.optimizer([.adam]))"])))
        } else if ratio < Thresholds.updateRatioTooLow, ratio > 0 || ratios.allSatisfy({ $0 == 0 }),
            // Zero updates from zero gradients (dead units, a detached layer) say nothing about η.
            median(samples.flatMap { $0.layers.map(\.gradientNorm) }) > 0
        {
            findings.append(
                TrainingFinding(
                    code: .learningRateTooLow, severity: .warning,
                    summary:
                        "each step changes the weights by only \(format(ratio)) of their norm (median ‖ΔW‖/‖W‖), far below the ≈ 10⁻³ that usually works",
                    evidence: ["median update ratio \(format(ratio)) < \(format(Thresholds.updateRatioTooLow))"]
                        + perLayerRatios(history, samples),
                    figures: ["updateRatio": ratio],
                    fixes: [
                        "raise the learning rate\(.learningRate) by \(orders(1e-3 / Swift.max(ratio, 1e-12))) (update ratio \(format(ratio)) against ≈ 10⁻³)"
                    ]
                        + fasterOptimizers(run)))
        }
        return findings.sorted { $0.severity > $1.severity }
    }

    static func fixesForVanishing(_ layers: [MonitoredLayer], _ run: RunDescription) -> [TrainingFix] {
        var fixes = [TrainingFix]()
        if layers.contains(where: { $0.function?.saturates == true }) { fixes += reluFixes(run) }
        switch (run.usesXavier, run.initializer == .he) {
        case (false, false):
            fixes.append(
                checkingInitialization(
                    run, "use Xavier\(.initialization(.xavierUniform)) or He\(.initialization(.he)) initialisation"))
        case (true, false) where run.activation == .relu || run.activation == .leakyReLU:
            fixes.append(
                "use He initialisation\(.initialization(.he)), made for ReLU units\(run.initializer.map { " (the run uses \($0.rawValue))" } ?? "")"
            )
        default: break
        }
        fixes.append(
            run.optimizer?.kind == .adam
                ? "use fewer layers"
                : "use fewer layers, or Adam\(.optimizer([.adam])), whose per-weight step sizes compensate for small gradients"
        )
        return fixes
    }

    /// "use ReLU with He initialisation", unless the run does (or does half of it: then the other half).
    static func reluFixes(_ run: RunDescription) -> [TrainingFix] {
        let relu = run.activation == .relu || run.activation == .leakyReLU
        switch (relu, run.initializer == .he) {
        case (false, false): return ["use ReLU\(.activation(.relu)) with He initialisation\(.initialization(.he))"]
        case (false, true): return ["use ReLU\(.activation(.relu)) (the run already uses He initialisation)"]
        case (true, false):
            return [
                "use He initialisation\(.initialization(.he)) with ReLU units\(run.initializer.map { " (the run uses \($0.rawValue))" } ?? "")"
            ]
        case (true, true): return []
        }
    }

    /// `fix` about the inputs' scale, unless the run already scales them better: suggested for
    /// raw inputs (and for `alsoFrom`); when the run did not say how it scales them, `unknown`,
    /// which says what to check rather than assuming.
    static func inputScalingFixes(
        _ run: RunDescription, _ fix: TrainingFix, unknown: TrainingFix, alsoFrom: Normalization? = nil
    ) -> [TrainingFix] {
        guard let scaling = run.inputScaling else { return [unknown] }
        return scaling == .raw || scaling == alsoFrom ? [fix] : []
    }

    /// A fix about the initialisation as is, or, when the run did not say which it uses, as
    /// something to check rather than to assume.
    static func checkingInitialization(_ run: RunDescription, _ fix: TrainingFix) -> TrainingFix {
        run.initializer == nil ? TrainingFix(parts: [.text("check the initialisation: ")] + fix.parts) : fix
    }

    /// Weight decay or L2 when the run has neither; more of the one it has otherwise.
    static func penaltyFixes(_ run: RunDescription) -> [TrainingFix] {
        let decay = run.optimizer?.weightDecay ?? 0, lambda = run.l2Penalty ?? 0
        if decay > 0 { return ["raise the weight decay\(.weightDecay) (now \(String(decay)))"] }
        if lambda > 0 { return ["raise L2\(.l2Penalty) (now λ = \(String(lambda)))"] }
        return ["add weight decay\(.weightDecay) or L2\(.l2Penalty)"]
    }

    /// Momentum or Adam for plain SGD, Adam for momentum, nothing for Adam.
    static func fasterOptimizers(_ run: RunDescription) -> [TrainingFix] {
        switch run.optimizer?.kind {
        case .adam: return []
        case .momentum, .nesterov: return ["use Adam\(.optimizer([.adam]))"]
        case .sgd, nil: return ["use momentum or Adam\(.optimizer([.momentum, .adam]))"]
        }
    }

    static func perLayerRatios(_ history: TrainingHistory, _ samples: [MonitorSample]) -> [String] {
        history.layers.indices.map { l in
            "\(history.layers[l].name): median ‖ΔW‖/‖W‖ \(format(median(samples.map { $0.layers[l].updateRatio })))"
        }
    }

    /// The (up to five) batch losses before the first non-finite one.
    static func lastLosses(_ history: TrainingHistory) -> [String] {
        let losses = lossesInOrder(history)
        let end = losses.firstIndex { !$0.isFinite } ?? losses.endIndex
        let before = losses[..<end].suffix(5)
        return before.isEmpty ? [] : ["the batch losses before it: " + before.map(format).joined(separator: ", ")]
    }

    /// Whether batch losses were recorded after the first non-finite one: the program trained on
    /// (the built-in trainer stops there).
    static func wentOn(_ history: TrainingHistory) -> Bool {
        let losses = lossesInOrder(history)
        guard let first = losses.firstIndex(where: { !$0.isFinite }) else { return false }
        return first < losses.count - 1
    }

    /// The batch losses, or when a program recorded none, the losses of its samples.
    static func lossesInOrder(_ history: TrainingHistory) -> [Double] {
        history.batchLosses.isEmpty ? history.samples.map(\.loss) : history.batchLosses
    }

    static func figures(_ layers: [MonitoredLayer], _ values: [Double], _ name: String) -> [String: Double] {
        Dictionary(
            zip(layers, values).filter { !$0.1.isNaN }.map { ("\($0.name).\(name)", $1) },
            uniquingKeysWith: { a, _ in a })
    }

    /// The median of the values that are not NaN (NaN for none): readings taken after the
    /// weights went non-finite do not decide it.
    public static func median(_ values: [Double]) -> Double {
        let s = values.filter { !$0.isNaN }.sorted()
        guard !s.isEmpty else { return .nan }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// "about 10³×", from a ratio below or above 1.
    static func orders(_ ratio: Double) -> String {
        guard ratio.isFinite, ratio > 0 else { return "without bound" }
        let r = ratio < 1 ? 1 / ratio : ratio
        let e = Int(log10(r).rounded())
        let superscripts: [Character] = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]
        if r < 100 { return "\(Int(r.rounded()))×" }
        return "about 10" + String(String(e).map { superscripts[Int(String($0))!] }) + "×"
    }

    /// Three significant digits.
    static func format(_ x: Double) -> String {
        guard x.isFinite else { return "\(x)" }
        if x != 0 && (Swift.abs(x) < 1e-3 || Swift.abs(x) >= 1e5) { return String(format: "%.2e", x) }
        return String(format: "%.3g", x)
    }

    static func percent(_ x: Double) -> String { String(format: "%.0f%%", 100 * x) }
}
