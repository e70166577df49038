/// The exit statuses the commands document (README "Exit status", each command's help), by
/// name; BSD sysexits.h values where one fits.
enum ExitStatus {
    /// A check found a wrong gradient, or the tour a step that did not turn out as expected.
    static let failed: Int32 = 1
    /// A check could not decide (noise too large for the bound it needs).
    static let inconclusive: Int32 = 2
    /// The objective could not be evaluated, or training stopped at a NaN or infinite loss.
    static let evaluation: Int32 = 3
    /// A bad flag value or a size refused up front (EX_USAGE).
    static let usage: Int32 = 64
    /// An input file that is malformed or does not fit (EX_DATAERR).
    static let dataError: Int32 = 65
    /// An input file that does not exist or cannot be read (EX_NOINPUT).
    static let noInput: Int32 = 66
    /// An output that cannot be written (EX_CANTCREAT).
    static let cannotWrite: Int32 = 73
    /// Interrupted by Ctrl-C (SIGINT) or SIGTERM, after saving what the run had.
    static let interrupted: Int32 = 130
}
