import NeuralNet
import TensorCore

extension BugZoo {
    /// Gradients the known layer mistakes would give for this model at its point: each
    /// applicable layer is swapped for its buggy twin (a layer already buggy stays so).
    static func hypotheses<S: TensorScalar>(for objective: ModelObjective<S>) -> [GradientHypothesis] {
        let problem = objective.problem
        var out = [GradientHypothesis]()
        func gradient(_ model: Sequential<S>) -> [Double] {
            var c = ForwardContext(mode: .evaluation)
            let e = model.evaluateUnchecked(inputs: problem.inputs, targets: problem.targets, context: &c)
            return ParameterVector.flatten(e.gradients).map { Double($0) }
        }
        func variant(_ code: CheckFinding.Code, _ message: String, _ replace: (Int, any Layer<S>) -> (any Layer<S>)?) {
            var model = problem.model
            var changed = false
            for (i, layer) in model.layers.enumerated() {
                if let r = replace(i, layer) {
                    model.replaceLayer(i, with: r)
                    changed = true
                }
            }
            if changed { out.append(GradientHypothesis(code: code, message: message, gradient: gradient(model))) }
        }
        variant(
            .sigmoidDerivativeOnActivation,
            "The gradient equals what σ′ evaluated on the activation a = σ(z) gives: use a(1 − a), not σ(a)(1 − σ(a))."
        ) { _, l in
            l.activation == .sigmoid || l is SigmoidDerivativeOnActivation<S> ? SigmoidDerivativeOnActivation<S>() : nil
        }
        variant(
            .softmaxDiagonal,
            "The gradient equals what a softmax backward with only the Jacobian's diagonal s(1 − s) gives: the VJP is s ⊙ (g − ⟨g, s⟩)."
        ) { _, l in
            l is Softmax<S> || l is SoftmaxDiagonalOnly<S> ? SoftmaxDiagonalOnly<S>() : nil
        }
        let firstConv = problem.model.layers.firstIndex { $0 is Conv2D<S> || $0 is ConvKernelNotFlipped<S> }
        variant(
            .convKernelNotFlipped,
            "The gradient equals what a convolution backward with an unflipped kernel gives: ∂L/∂X is the full convolution of δ with the flipped kernel."
        ) { i, l in
            guard i != firstConv else { return nil }
            if let c = l as? Conv2D<S> { return ConvKernelNotFlipped(c) }
            return l as? ConvKernelNotFlipped<S>
        }
        variant(
            .maxPoolWrongRouting,
            "The gradient equals what a max-pool backward that routes to each window's first element gives: route to the argmax."
        ) { _, l in
            if let p = l as? MaxPool2D<S> { return MaxPoolWrongRouting(p) }
            return l as? MaxPoolWrongRouting<S>
        }
        if !problem.model.ties.isEmpty {
            variant(
                .reusedParameterNotAccumulated,
                "The gradient equals one use's contribution alone: a reused parameter's gradient must be accumulated (+=) over its uses."
            ) { i, l in
                guard problem.model.ties.keys.contains(i) || problem.model.ties.values.contains(i) else { return nil }
                if let d = l as? Dense<S> { return BuggyDense(d, mistake: .overwriteInsteadOfAccumulate) }
                return l as? BuggyDense<S>
            }
        }
        return out
    }
}
