import Datasets
import GradCheck
import NeuralNet
import Testing
import Training

@testable import gradscope

/// The library words errors and fixes in its own terms; the command line names the flags.
struct SettingFlagsTests {
    @Test func errorsNameTheirFlag() {
        let cases: [(any Error, String)] = [
            (ModelError.invalidSetting(.hidden, "must be positive, got [0]"), "--hidden must be positive, got [0]"),
            (
                ModelError.invalidSetting(.l2Penalty, "must be a finite number ≥ 0, got -1.0"),
                "--lambda must be a finite number ≥ 0, got -1.0"
            ),
            (
                ModelError.conflictingSettings([.preset, .layers, .hidden]),
                "give only one of --model, --layers and --hidden"
            ),
            (
                TrainingError.invalidSetting(.learningRate, "must be a finite number > 0, got 0.0"),
                "--lr must be a finite number > 0, got 0.0"
            ),
            (
                TrainingError.invalidSetting(.batchSize, "must be at least 1, got 0"),
                "--batch must be at least 1, got 0"
            ),
            (TrainingError.invalidSetting(.adamEpsilon, "must be > 0, got 0.0"), "Adam's ε must be > 0, got 0.0"),
            (
                DatasetError.unknownSource(argument: "cifar"),
                "--data 'cifar': unknown data source; expected digits, fashion-mnist, mnist:DIR or idx:DIR"
            ),
            (
                MergeError.missing(indices: [1], count: 3),
                "shard 1 of 3 is missing; rerun it, or pass --partial to merge what is there"
            ),
            (
                MergeError.noiseDiffers(file: "b.json", noise: 2, reference: "a.json", referenceNoise: 1),
                "b.json does not belong with the other shards: it measured noise σ = 2.0, a.json σ = 1.0: the objective is noisy; run `gradscope plan` and give every shard the same --plan file"
            )
        ]
        for (error, expected) in cases {
            #expect(SettingFlags.message(error) == expected)
            #expect(!"\(error)".contains("--"), "the library's own message names no flag: \(error)")
        }
    }

    @Test func fixesGetTheirFlagsAfterTheWordsThatNameThem() {
        let fix: TrainingFix =
            "use Xavier\(.initialization(.xavierUniform)) or He\(.initialization(.he)) initialisation"
        #expect(SettingFlags.render(fix) == "use Xavier (--init xavier) or He (--init he) initialisation")
        let optimizers: TrainingFix = "use momentum or Adam\(.optimizer([.momentum, .adam]))"
        #expect(SettingFlags.render(optimizers) == "use momentum or Adam (--optimizer momentum|adam)")
        let penalty: TrainingFix = "add weight decay\(.weightDecay) or L2\(.l2Penalty)"
        #expect(SettingFlags.render(penalty) == "add weight decay (--weight-decay) or L2 (--lambda)")
        let activation: TrainingFix = "use leaky ReLU\(.activation(.leakyReLU))"
        #expect(SettingFlags.render(activation) == "use leaky ReLU (--activation leaky-relu)")
    }

    @Test func reportsPointToTheJSONFlag() {
        #expect(TextReport.commandLine().fullListing == "--format json lists every entry")
        #expect(TextReport().fullListing == "the JSON report lists every entry")
    }
}
