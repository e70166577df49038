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
    /// Whether stdout or stderr lost its reader (EPIPE): nothing more is written there, and the
    /// program's output is still drained so that it never blocks on a full pipe.
    private var stdoutGone = false
    private var stderrGone = false

    init(quiet: Bool, isTTY: Bool = Terminal.stderrIsTTY) {
        self.quiet = quiet
        self.isTTY = isTTY
    }

    func passThrough(_ chunk: UnsafeBufferPointer<UInt8>, toStderr: Bool) {
        clear()
        if toStderr {
            if !stderrGone { stderrGone = !Terminal.write(UnsafeRawBufferPointer(chunk), to: STDERR_FILENO) }
        } else if !stdoutGone {
            stdoutGone = !Terminal.write(UnsafeRawBufferPointer(chunk), to: STDOUT_FILENO)
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

    /// What the reader set aside from the hello (a setting value it does not know).
    func note(_ text: String) {
        guard !quiet else { return }
        say("gradscope watch: note: \(text)")
    }

    func finish() { clear() }

    private func say(_ line: String) {
        clear()
        let prefix = atLineStart ? "" : "\n"
        atLineStart = true
        writeStderr(prefix + line + "\n")
        redraw()
    }

    private func writeStderr(_ text: String) {
        if !stderrGone { stderrGone = !Terminal.writeStderr(text) }
    }

    private func clear() {
        if drawn { writeStderr("\r\u{1B}[K"); drawn = false }
    }

    private func redraw(throttled: Bool = false) {
        guard isTTY, !quiet, atLineStart, let status else { return }
        let now = Date().timeIntervalSince1970
        if throttled && drawn && now - lastDraw < 0.1 { return }
        lastDraw = now
        writeStderr("\r\u{1B}[K\(status)")
        drawn = true
    }
}
