/// How an entry's gap a − D(h) between the analytic value and the central difference behaves
/// as the step shrinks, from the differences the check already measured at h, h/2 and h/4
/// (every entry that did not pass at once is re-measured at h/4):
///
/// - `constant`: the gap stays the same at the three steps (their spread is under 10 % of the
///   gap): a mistake in the analytic gradient, not a step-size effect.
/// - `truncation`: the gap shrinks toward zero as h² (successive differences shrink 2.5–6×
///   per halving): the central difference's own truncation error.
/// - `noise`: the gap grows as the step shrinks, about 2× per halving, as 1/h, or changes sign
///   at a size the noise allows: rounding or noise in the objective.
/// - `mixed`: none of these.
///
/// A jump between steps is a kink, which the check reports as such. No entry fails whose gap
/// follows truncation or noise: such an entry is inconclusive.
public enum ErrorLaw: String, Sendable, Hashable, Codable {
    case constant, truncation, noise, mixed

    /// The law of gaps measured at steps h, h/2, h/4 (in that order); nil for fewer than three.
    /// A gap that converges like b + c·h² to a limit b of at least half its last value is
    /// `constant` too: the part that does not vanish with the step is the mistake.
    public init?(gaps: [Double]) {
        guard gaps.count >= 3, gaps.allSatisfy(\.isFinite) else { return nil }
        let (g1, g2, g3) = (gaps[0], gaps[1], gaps[2])
        let largest = Swift.max(abs(g1), abs(g2), abs(g3))
        guard largest > 0 else { self = .constant; return }
        let sameSign = (g1 > 0) == (g2 > 0) && (g2 > 0) == (g3 > 0)
        let spread = Swift.max(g1, g2, g3) - Swift.min(g1, g2, g3)
        let (d12, d23) = (g1 - g2, g2 - g3)
        let quadratic = d23 != 0 && (d12 > 0) == (d23 > 0) && (2.5...6).contains(d12 / d23)
        let limit = g3 - d23 / 3
        if sameSign && spread <= 0.1 * largest {
            self = .constant
        } else if quadratic {
            self = abs(limit) >= 0.5 * abs(g3) && (limit > 0) == (g3 > 0) ? .constant : .truncation
        } else if !sameSign || (abs(g3) > 1.4 * abs(g2) && abs(g2) > 1.4 * abs(g1)) {
            self = .noise
        } else {
            self = .mixed
        }
    }

    /// Whether a gap that follows this law can fail an entry: only a constant or mixed one.
    public var canFail: Bool { self == .constant || self == .mixed }
}

extension ErrorLaw {
    /// The law a block's failing entries follow: theirs when they agree, `mixed` otherwise,
    /// nil when none was measured at three steps.
    static func of(failing entries: [EntryResult]) -> ErrorLaw? {
        let laws = entries.compactMap(\.errorLaw)
        guard let first = laws.first else { return nil }
        return laws.allSatisfy { $0 == first } ? first : .mixed
    }

    /// The evidence in one sentence, for a block's failing entries.
    static func sentence(failing entries: [EntryResult]) -> String? {
        let measured = entries.filter { $0.errorLaw != nil }
        guard let law = of(failing: entries), let gaps = measured.first?.gaps else { return nil }
        let largest = measured.compactMap { $0.gaps?.map(abs).max() }.max() ?? 0
        switch law {
        case .constant:
            return measured.count == 1
                ? "the gap stays \(shortNumber(gaps[2])) at h, h/2 and h/4 (\(gaps.map(shortNumber).joined(separator: ", "))): not a step-size effect"
                : "every failing entry's gap stays the same at h, h/2 and h/4 (\(measured.count) entries, up to \(shortNumber(largest))): not a step-size effect"
        case .truncation: return "the gaps shrink as h² between h, h/2 and h/4: truncation of the central difference"
        case .noise: return "the gaps grow as the step shrinks, or change sign: noise"
        case .mixed:
            var counts = [ErrorLaw: Int]()
            for e in measured { counts[e.errorLaw!, default: 0] += 1 }
            let parts = [ErrorLaw.constant, .truncation, .noise, .mixed].compactMap { l in
                counts[l].map { "\($0) \(l.rawValue)" }
            }
            return
                "the failing entries' gaps follow no single law across h, h/2 and h/4 (\(parts.joined(separator: ", ")))"
        }
    }
}
