import GradCheck
import NeuralNet
import TensorCore

/// Checks a `Layer`'s hand-written backward pass: ∂L/∂input and every
/// ∂L/∂parameter, for L = ⟨c, forward(x)⟩ with a random cotangent c (seeded, standard normal,
/// the shape of the output). Then `backward(c)` is exactly ∇L, and the checker compares it with
/// numerical derivatives of L in the layer's parameters (blocks named after the
/// `Layer.parameterSlots`) and its input (block `input`).
///
/// A second pass checks the accumulation contract: `backward` must ADD into
/// `parameterGradients`. It is called on buffers that already hold values; if the result is not
/// those values plus the fresh gradient, the report fails with the finding
/// `overwrites-gradient` (a tied parameter would keep only one use's gradient).
///
/// - Parameters:
///   - layer: the layer, with its parameters set.
///   - input: a batch (the first dimension indexes examples).
///   - mode: the execution mode for `forward` (evaluation by default: dropout off).
///   - seed: the cotangent's seed (also the check's, unless `configuration` says otherwise).
/// - Returns: the report. Blocks: the parameter slots in order, then `input`.
public func checkLayer<L: Layer>(
    _ layer: L, input: Tensor<L.Scalar>, mode: ExecutionMode = .evaluation,
    seed: UInt64 = 0,
    configuration: CheckConfiguration? = nil
) -> GradientReport {
    var probe = ForwardContext(mode: mode)
    let tape = layer.forward(input, context: &probe)
    var rng = PRNG(seed: seed)
    let cotangent = Tensor<L.Scalar>.normal(shape: tape.output.shape, using: &rng)

    let slots = layer.parameterSlots
    var items = slots.map { (name: $0.name, shape: $0.shape) }
    items.append((name: "input", shape: input.shape))
    var blocks = ObjectiveBlock.consecutive(items)
    for (i, slot) in slots.enumerated() { blocks[i].role = slot.role }
    let shapes = items.map(\.shape)
    let point = ParameterVector.flatten(layer.parameters + [input]).map { Double($0) }

    @Sendable func unpack(_ x: [Double]) -> (L, Tensor<L.Scalar>) {
        var tensors = ParameterVector.unflatten(x.map { L.Scalar($0) }, shapes: shapes)
        let x = tensors.removeLast()
        var l = layer
        if !slots.isEmpty { l.parameters = tensors }
        return (l, x)
    }
    @Sendable func pairing(_ output: Tensor<L.Scalar>) -> Double {
        zip(output.scalars, cotangent.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }

    let objective = ClosureObjective(
        point: point, blocks: blocks, precision: L.Scalar.self == Float.self ? .float32 : .float64,
        value: { x in
            let (l, input) = unpack(x)
            var context = ForwardContext(mode: mode)
            return pairing(l.forward(input, context: &context).output)
        },
        valueAndGradient: { x in
            let (l, input) = unpack(x)
            var context = ForwardContext(mode: mode)
            let tape = l.forward(input, context: &context)
            var gradients = slots.map { Tensor<L.Scalar>(zeros: $0.shape) }
            let inputGradient = l.backward(cotangent, tape: tape, parameterGradients: &gradients)
            return (pairing(tape.output), ParameterVector.flatten(gradients + [inputGradient]).map { Double($0) })
        })
    var report = check(objective, configuration: configuration ?? CheckConfiguration(seed: seed))
    if !slots.isEmpty, let finding = accumulationFinding(layer, tape: tape, cotangent: cotangent, rng: &rng) {
        report.verdict = .fail
        report.diagnosis.append(finding)
    }
    return report
}

/// Calls `backward` on fresh zero buffers and on pre-filled ones, and compares.
func accumulationFinding<L: Layer>(
    _ layer: L, tape: LayerTape<L.Scalar>, cotangent: Tensor<L.Scalar>,
    rng: inout PRNG
) -> CheckFinding? {
    var fresh = layer.parameterSlots.map { Tensor<L.Scalar>(zeros: $0.shape) }
    _ = layer.backward(cotangent, tape: tape, parameterGradients: &fresh)
    let prefilled = layer.parameterSlots.map { Tensor<L.Scalar>.normal(shape: $0.shape, using: &rng) }
    var accumulated = prefilled
    _ = layer.backward(cotangent, tape: tape, parameterGradients: &accumulated)
    let tolerance = L.Scalar.self == Float.self ? 1e-4 : 1e-10
    for (k, slot) in layer.parameterSlots.enumerated() {
        for i in 0..<slot.count {
            let expected = Double(prefilled[k].scalars[i]) + Double(fresh[k].scalars[i])
            let got = Double(accumulated[k].scalars[i])
            let scale = max(1, abs(Double(prefilled[k].scalars[i])), abs(Double(fresh[k].scalars[i])))
            if abs(got - expected) > tolerance * scale {
                return CheckFinding(
                    code: .overwritesGradient,
                    message:
                        "backward does not add into parameterGradients for \(slot.name) (entry \(i): held \(shortNumber(Double(prefilled[k].scalars[i]))), added \(shortNumber(Double(fresh[k].scalars[i]))), left \(shortNumber(got))): it must accumulate (+=), or a parameter used twice keeps only one use's gradient.",
                    block: slot.name)
            }
        }
    }
    return nil
}
