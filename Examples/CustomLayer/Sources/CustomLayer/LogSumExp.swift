import _Differentiation
import Foundation

/// log Σᵢ exp(xᵢ), computed stably as m + log Σᵢ exp(xᵢ − m) with m = maxᵢ xᵢ.
///
/// Its derivative is registered by hand rather than left to the compiler: ∂/∂xᵢ = exp(xᵢ − lse)
/// = softmax(x)ᵢ. The pullback reuses the value, and the compiler never differentiates through
/// `max` (whose derivative at a tie it would pick arbitrarily) or the loop (reverse mode over a
/// scalar loop costs O(n²) in this compiler).
public func logSumExp(_ x: [Double]) -> Double {
    let m = x.max() ?? 0
    return m + log(x.reduce(0) { $0 + exp($1 - m) })
}

@derivative(of: logSumExp)
public func logSumExpVJP(_ x: [Double]) -> (value: Double, pullback: (Double) -> [Double].TangentVector) {
    let value = logSumExp(x)
    return (value, { v in .init(x.map { v * exp($0 - value) }) })
}

/// The negative log-likelihood of class `label` under softmax(logits): lse(z) − z_label.
/// Differentiated by the compiler, through ``logSumExp(_:)``'s registered derivative.
@differentiable(reverse)
public func softmaxNLL(_ logits: [Double], label: Int) -> Double {
    logSumExp(logits) - logits[label]
}
