/// One thing the diagnosis found: a stable code, what it rests on, and what to try.
public struct Finding: Sendable, Codable, Equatable {
    public enum Severity: String, Sendable, Codable, Comparable {
        case info, warning, error
        public static func < (a: Severity, b: Severity) -> Bool {
            [Severity.info, .warning, .error].firstIndex(of: a)! < [Severity.info, .warning, .error].firstIndex(of: b)!
        }
    }

    /// `vanishing-gradients`, `exploding-gradients`, `non-finite-loss`, `saturation`,
    /// `dead-relu`, `learning-rate-too-high`, `learning-rate-too-low`.
    public var code: String
    public var severity: Severity
    /// One line: what is wrong.
    public var summary: String
    /// The figures it rests on, one line each.
    public var evidence: [String]
    /// The same figures by name, for machines (`layer1.meanAbsoluteUpdate`, …).
    public var figures: [String: Double]
    /// What to try, most likely first.
    public var fixes: [String]

    public init(code: String, severity: Severity, summary: String, evidence: [String], figures: [String: Double], fixes: [String]) {
        self.code = code; self.severity = severity; self.summary = summary
        self.evidence = evidence; self.figures = figures; self.fixes = fixes
    }
}
