import Dispatch
import Foundation

/// Ctrl-C in `train` and `compare`: the first SIGINT (or SIGTERM) asks the run to stop after
/// the batch it is computing, so that metrics, report and checkpoint are written for the
/// partial run; the command then exits 130. A second one exits at once (130).
final class Interruption: @unchecked Sendable {
    static let shared = Interruption()
    private let lock = NSLock()
    private var isRequested = false
    private var sources = [DispatchSourceSignal]()

    /// Whether a stop was asked for.
    var requested: Bool {
        lock.lock(); defer { lock.unlock() }
        return isRequested
    }

    /// Installs the handlers (idempotent). `message` is written to stderr on the first signal.
    func install(message: String) {
        lock.lock(); defer { lock.unlock() }
        guard sources.isEmpty else { return }
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [self] in
                lock.lock()
                let again = isRequested
                isRequested = true
                lock.unlock()
                if again {
                    FileHandle.standardError.write(Data("\ngradscope: interrupted again; stopping now\n".utf8))
                    _exit(130)
                }
                FileHandle.standardError.write(Data("\n\(message)\n".utf8))
            }
            source.resume()
            sources.append(source)
        }
    }

    /// The exit status of an interrupted run (128 + SIGINT).
    static let exitCode: Int32 = ExitStatus.interrupted
}
