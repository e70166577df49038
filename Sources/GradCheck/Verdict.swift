/// The verdict on one entry of the gradient.
public enum EntryVerdict: String, Sendable, Codable, CaseIterable {
    /// |analytic − numeric| is within the error bound the numerical method estimated.
    case pass
    /// |analytic − numeric| is outside the bound at two step pairs.
    case fail
    /// Within the bound, but the bound is too wide to tell a right gradient from a wrong one.
    case inconclusive
    /// The perturbation crossed a non-differentiable point (ReLU at 0, max, abs).
    case kink
}

/// The verdict on a block, or on the whole check.
public enum CheckVerdict: String, Sendable, Codable, CaseIterable {
    case pass, fail, inconclusive, error

    /// `gradscope check`'s exit status: 0 pass, 1 fail, 2 inconclusive, 3 evaluation error.
    public var exitCode: Int32 {
        switch self {
        case .pass: return 0
        case .fail: return 1
        case .inconclusive: return 2
        case .error: return 3
        }
    }

    /// The combined verdict of parts: any fail fails, then any error, then any inconclusive.
    public static func combining(_ parts: [CheckVerdict]) -> CheckVerdict {
        if parts.contains(.fail) { return .fail }
        if parts.contains(.error) { return .error }
        if parts.contains(.inconclusive) { return .inconclusive }
        return .pass
    }
}
