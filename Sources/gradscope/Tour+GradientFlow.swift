import Foundation
import NeuralNet
import Training

extension Tour {
    /// Step 5: the same deep network on digits with sigmoid + Xavier and with ReLU + He,
    /// trained for real, its gradient flow overlaid; the sigmoid run must be diagnosed with
    /// vanishing gradients and the ReLU run must not.
    func stepGradientFlow() throws -> TourStep {
        header(
            5, "Why do my early layers stop learning?",
            "64 → 30 × 5 → 10 on the bundled digits, momentum η 0.05 μ 0.9, batch 32: sigmoid + Xavier against ReLU + He."
        )
        let split = try TrainingSession.loadData("digits", normalization: .unitInterval)
        let progress = TrainingProgress(quiet: false)
        progress.showsLabel = true
        var results = [RunResult]()
        for (activation, initializer) in [(ActivationKind.sigmoid, Initializer.xavierUniform), (.relu, .he)] {
            let spec = ArchitectureSpec(
                hidden: [30, 30, 30, 30, 30], activation: activation, initializer: initializer, seed: 0)
            let settings = RunSettings(
                spec: spec, data: "digits", normalization: .unitInterval, dtype: .float32,
                label: "\(activation.rawValue) \(initializer.rawValue)")
            let configuration = TrainingConfiguration(
                epochs: epochs, batchSize: 32, seed: 0, monitorEvery: 10,
                optimizer: OptimizerConfiguration(kind: .momentum, learningRate: 0.05, momentum: 0.9))
            results.append(
                try TrainingSession.run(
                    Float.self, settings: settings, configuration: configuration, split: split,
                    resume: nil, checkpointPath: nil, progress: progress))
        }
        let folder = (out as NSString).appendingPathComponent("5-gradient-flow")
        let files = try TrainingOutputs.write(
            results, to: folder, title: "Gradient flow: sigmoid xavier vs relu he (64→30×5→10, digits)")
        let compare = try Compare.parse(["--activation", "sigmoid,relu"])
        print(compare.table(results))
        for result in results {
            for finding in result.outcome.findings {
                print("\(result.settings.label): \(finding.code): \(finding.summary)")
                for fix in finding.fixes { print("    try: \(SettingFlags.render(fix))") }
            }
        }
        // And the healthy default: `gradscope train` on digits (64 sigmoid units, 30 epochs).
        let defaultSettings = RunSettings(
            spec: ArchitectureSpec(hidden: [64], activation: .sigmoid, initializer: .xavierUniform, seed: 0),
            data: "digits", normalization: .unitInterval, dtype: .float32, label: "default 64 sigmoid")
        let defaultRun = try TrainingSession.run(
            Float.self, settings: defaultSettings,
            configuration: TrainingConfiguration(
                epochs: 30, batchSize: 32, seed: 0, monitorEvery: 10,
                optimizer: OptimizerConfiguration(kind: .momentum, learningRate: 0.05, momentum: 0.9)),
            split: split, resume: nil, checkpointPath: nil, progress: progress)
        let defaultAccuracy = defaultRun.finalEpoch?.testAccuracy ?? 0
        let defaultFindings =
            defaultRun.outcome.findings.isEmpty
            ? "none" : defaultRun.outcome.findings.map(\.code.rawValue).joined(separator: ", ")
        print(
            "The default network (64 → 64 sigmoid → 10, 30 epochs): "
                + "test accuracy \(String(format: "%.1f", 100 * defaultAccuracy))%, findings: \(defaultFindings)")
        let sigmoidCodes = results[0].outcome.findings.map(\.code.rawValue)
        let reluCodes = results[1].outcome.findings.map(\.code.rawValue)
        let accuracy = results.map { r in r.finalEpoch?.testAccuracy.map { String(format: "%.1f%%", 100 * $0) } ?? "–" }
        return TourStep(
            title: "5. gradient flow", question: "Why do my early layers stop learning?",
            finding:
                "sigmoid + Xavier: \(sigmoidCodes.isEmpty ? "no findings" : sigmoidCodes.joined(separator: ", ")) (test accuracy \(accuracy[0])); ReLU + He: \(reluCodes.isEmpty ? "no findings" : reluCodes.joined(separator: ", ")) (test accuracy \(accuracy[1])); the default 64-unit sigmoid network: \(String(format: "%.1f%%", 100 * defaultAccuracy)) test accuracy",
            files: files.map { "5-gradient-flow/" + (($0 as NSString).lastPathComponent) },
            asExpected: sigmoidCodes.contains("vanishing-gradients") && !reluCodes.contains("vanishing-gradients")
                && defaultAccuracy >= 0.95)
    }
}
