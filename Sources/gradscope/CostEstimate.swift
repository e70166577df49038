import Foundation
import GradCheck

/// The line `check` prints before the bulk of the evaluations: what the check will cost, from
/// the time its first evaluations took.
struct CostEstimate {
    var plan: CheckPlan

    var line: String {
        let perEvaluation = plan.secondsPerEvaluation
        return
            "gradscope: \(plan.entries) entr\(plan.entries == 1 ? "y" : "ies") to check, about \(plan.evaluations) evaluations at "
            + "\(Self.duration(perEvaluation)) each: estimated \(Self.duration(plan.estimatedSeconds)) in all"
    }

    /// "340 µs", "1.2 ms", "4.5 s", "3 min 20 s", "2 h 5 min".
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "unknown" }
        if seconds < 1e-3 { return String(format: "%.0f µs", seconds * 1e6) }
        if seconds < 1 { return String(format: "%.1f ms", seconds * 1e3) }
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        let total = Int(seconds.rounded())
        if total < 3600 { return "\(total / 60) min \(total % 60) s" }
        return "\(total / 3600) h \(total % 3600 / 60) min"
    }
}
