import Foundation
import Training

/// What `gradscope watch` shows on stderr while the program trains: its output passed
/// through, on a TTY one status line redrawn in place below it (step, epoch, loss, readings),
/// one line per epoch, and each warning when its rule first fires.
final class WatchProgress {
    let quiet: Bool
    let isTTY: Bool
    private var status: String?
    private var drawn = false
    private var lastDraw = 0.0
    /// Whether the last byte passed through ended a line (the status line is drawn only then).
    private var atLineStart = true

    init(quiet: Bool, isTTY: Bool = Terminal.stderrIsTTY) {
        self.quiet = quiet
        self.isTTY = isTTY
    }

    func passThrough(_ chunk: UnsafeBufferPointer<UInt8>, toStderr: Bool) {
        clear()
        let fd = toStderr ? STDERR_FILENO : STDOUT_FILENO
        var offset = 0
        while offset < chunk.count {
            let n = write(fd, chunk.baseAddress! + offset, chunk.count - offset)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            offset += n
        }
        if let last = chunk.last { atLineStart = last == UInt8(ascii: "\n") }
        redraw()
    }

    func sample(_ history: TrainingHistory) {
        guard let s = history.samples.last else { return }
        var line = "watching: step \(s.step), epoch \(s.epoch)"
        if s.loss.isFinite { line += String(format: ", loss %.4f", s.loss) }
        status = line + " (\(history.samples.count) readings)"
        redraw(throttled: true)
    }

    func epoch(_ e: EpochRecord) {
        guard !quiet else { return }
        var line = String(format: "gradscope watch: epoch %d: train loss %.4f", e.epoch, e.trainLoss)
        if let a = e.trainAccuracy { line += String(format: ", acc %.1f%%", 100 * a) }
        if let l = e.testLoss { line += String(format: "; test loss %.4f", l) }
        if let a = e.testAccuracy {
            line += String(format: e.testLoss == nil ? "; test acc %.1f%%" : ", acc %.1f%%", 100 * a)
        }
        say(line)
    }

    func warning(_ f: TrainingFinding) {
        guard !quiet else { return }
        say("gradscope watch: warning [\(f.code)]: \(f.summary)")
    }

    func finish() { clear() }

    private func say(_ line: String) {
        clear()
        let prefix = atLineStart ? "" : "\n"
        atLineStart = true
        FileHandle.standardError.write(Data((prefix + line + "\n").utf8))
        redraw()
    }

    private func clear() {
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)); drawn = false }
    }

    private func redraw(throttled: Bool = false) {
        guard isTTY, !quiet, atLineStart, let status else { return }
        let now = Date().timeIntervalSince1970
        if throttled && drawn && now - lastDraw < 0.1 { return }
        lastDraw = now
        FileHandle.standardError.write(Data("\r\u{1B}[K\(status)".utf8))
        drawn = true
    }
}
