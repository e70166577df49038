import Foundation
import Training

/// Progress of a training run on stderr: on a TTY one line redrawn in place (epoch, batch,
/// loss, accuracy, ETA), otherwise one plain line per epoch; warnings always on their own line.
final class TrainingProgress {
    let isTTY: Bool
    let quiet: Bool
    /// Prefix lines with the run's label (`compare`).
    var showsLabel = false
    var started = Date()
    var lastDraw = Date.distantPast
    var drawn = false

    init(quiet: Bool = false, isTTY: Bool = Terminal.stderrIsTTY) {
        self.quiet = quiet
        self.isTTY = isTTY
    }

    func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }

    func handle(_ event: TrainingEvent, label: String) {
        guard !quiet else { return }
        let prefix = showsLabel && !label.isEmpty ? "[\(label)] " : ""
        switch event {
        case .batch(let p):
            guard isTTY else { return }
            if p.step <= 1 && p.batch == 1 { started = Date() }
            let now = Date()
            guard now.timeIntervalSince(lastDraw) > 0.1 || p.batch == p.batches else { return }
            lastDraw = now
            // In Double: --epochs can be as large as Int allows.
            let doneBatches = Double(p.epoch - 1) * Double(p.batches) + Double(p.batch)
            let totalBatches = Double(p.epochs) * Double(p.batches)
            let elapsed = now.timeIntervalSince(started)
            let eta = doneBatches > 0 ? elapsed * (totalBatches - doneBatches) / doneBatches : 0
            let accuracy = p.accuracy.map { String(format: "  acc %5.1f%%", 100 * $0) } ?? ""
            write(
                String(
                    format: "\r\u{1B}[K%@epoch %d/%d  batch %d/%d  loss %.4f%@  ETA %@", prefix, p.epoch, p.epochs,
                    p.batch,
                    p.batches, p.loss, accuracy, Self.duration(eta)))
            drawn = true
        case .epoch(let r):
            clear()
            var line = String(format: "%@epoch %d: train loss %.4f", prefix, r.epoch, r.trainLoss)
            if let a = r.trainAccuracy { line += String(format: ", acc %.1f%%", 100 * a) }
            if let l = r.testLoss { line += String(format: "; test loss %.4f", l) }
            if let a = r.testAccuracy { line += String(format: ", acc %.1f%%", 100 * a) }
            line += String(format: " (%.1fs)", r.seconds)
            write(line + "\n")
        case .warning(let f):
            clear()
            write("\(prefix)warning [\(f.code)]: \(f.summary)\n")
        case .checkpoint:
            break
        }
    }

    func clear() {
        if drawn { write("\r\u{1B}[K"); drawn = false }
    }

    func finish() { clear() }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let s = Int(seconds.rounded())
        return s >= 3600
            ? "\(s / 3600)h\(String(format: "%02d", s % 3600 / 60))m"
            : s >= 60 ? "\(s / 60)m\(String(format: "%02d", s % 60))s" : "\(s)s"
    }
}
