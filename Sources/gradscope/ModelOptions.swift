import Foundation
import ArgumentParser
import NeuralNet

/// The architecture flags shared by `check`, `train` and `compare`.
struct ModelOptions: ParsableArguments {
    @Option(help: "A built-in network: \(Preset.allCases.map(\.rawValue).joined(separator: ", ")).")
    var model: Preset?

    @Option(help: "Every layer size from input to output, e.g. 3,5,3.", transform: parseSizes)
    var layers: [Int]?

    @Option(
        help: "Hidden layer sizes only, e.g. 1000,750,500 (input and output sizes come from the data).",
        transform: parseSizes)
    var hidden: [Int]?

    @Option(help: "Hidden activation: \(ActivationKind.allCases.map(\.rawValue).joined(separator: "|")).")
    var activation: ActivationKind?

    @Option(help: "Loss: \(LossKind.allCases.map(\.rawValue).joined(separator: "|")).")
    var loss: LossKind?

    @Option(help: "L2 regularisation strength λ (cost λ/(2m)·Σθ² over weights).")
    var lambda: Double?

    @Option(help: "Number of examples (synthetic data, or a prefix of the data set).")
    var examples: Int?

    @Option(name: .customLong("init"), help: "Initialisation: debug|debug-rowmajor|ex4|xavier|xavier-normal|he|normal.")
    var initializer: Initializer?

    @Option(help: "Precision the model computes in: float32 or float64.")
    var dtype: DType?

    @Option(name: .customLong("seed"), help: "Seed for initialisation, data and sampling (default 0).")
    var seedOption: UInt64?

    var seed: UInt64 { seedOption ?? 0 }

    func validate() throws {
        do { try spec.validate() } catch { throw ValidationError(SettingFlags.message(error)) }
    }

    var spec: ArchitectureSpec {
        ArchitectureSpec(
            preset: model, layers: layers, hidden: hidden, activation: activation, loss: loss,
            lambda: lambda, examples: examples, initializer: initializer, seed: seed)
    }
}

enum DType: String, ExpressibleByArgument, CaseIterable, Codable {
    case float32, float64
}

extension Preset: ExpressibleByArgument {}
extension ActivationKind: ExpressibleByArgument {}
extension LossKind: ExpressibleByArgument {}
extension Initializer: ExpressibleByArgument {}

/// "3,5,3" → [3, 5, 3].
func parseSizes(_ text: String) throws -> [Int] {
    let parts = text.split(separator: ",", omittingEmptySubsequences: false)
    let sizes = parts.map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard !sizes.isEmpty, sizes.allSatisfy({ $0 != nil && $0! > 0 }) else {
        throw ValidationError("expected comma-separated positive sizes such as 3,5,3, got '\(text)'")
    }
    return sizes.map { $0! }
}
