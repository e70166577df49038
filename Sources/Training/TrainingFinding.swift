/// One thing the training diagnosis found: a stable code, what it rests on, and what to try.
/// (The gradient checker's findings are GradCheck's `CheckFinding`.)
public struct TrainingFinding: Sendable, Codable, Equatable {
    /// What was found. The raw values are the contract: JSON `code`, the text reports'
    /// `[code]`, metrics files.
    public enum Code: String, Sendable, Codable, Hashable, CaseIterable, CustomStringConvertible {
        case vanishingGradients = "vanishing-gradients"
        case explodingGradients = "exploding-gradients"
        case nonFiniteLoss = "non-finite-loss"
        case saturation
        case deadReLU = "dead-relu"
        case learningRateTooHigh = "learning-rate-too-high"
        case learningRateTooLow = "learning-rate-too-low"

        public var description: String { rawValue }
    }

    public enum Severity: String, Sendable, Codable, Comparable {
        case info, warning, error
        public static func < (a: Severity, b: Severity) -> Bool {
            [Severity.info, .warning, .error].firstIndex(of: a)! < [Severity.info, .warning, .error].firstIndex(of: b)!
        }
    }

    public var code: Code
    public var severity: Severity
    /// One line: what is wrong.
    public var summary: String
    /// The figures it rests on, one line each.
    public var evidence: [String]
    /// The same figures by name, for machines (`layer1.meanAbsoluteUpdate`, …).
    public var figures: [String: Double]
    /// What to try, most likely first, naming the settings to change (``TrainingFix``).
    public var fixes: [TrainingFix]

    public init(
        code: Code, severity: Severity, summary: String, evidence: [String], figures: [String: Double],
        fixes: [TrainingFix]
    ) {
        self.code = code; self.severity = severity; self.summary = summary
        self.evidence = evidence; self.figures = figures; self.fixes = fixes
    }
}
