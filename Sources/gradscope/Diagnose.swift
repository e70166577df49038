import ArgumentParser
import Foundation
import Training

/// `gradscope diagnose`: the training diagnosis of a recorded `gradscope-watch/1` stream.
struct Diagnose: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Diagnose the gradient flow of your own training loop from a recorded stream.",
        discussion: """
            Reads a gradscope-watch/1 stream (JSON lines; docs/watch.md), as the
            Python package's gradscope.Watcher writes it from a numpy or JAX loop,
            and applies the same calibrated rules as `gradscope train`: vanishing
            and exploding gradients, saturation, dead ReLUs, a learning rate far
            off, each with its evidence and the fixes that fit what the program
            reported (a setting it did not report is advice to check, not assumed).

            With --out it also writes the files `gradscope train` writes:
            metrics.csv, metrics.json, gradient-flow.svg and report.html.

            Exit status: 0 the recorded run completed, 3 its loss went non-finite
            or the stream ends without `end` (the program stopped early),
            64 usage error, 65 a malformed stream (naming the line), 66 the file
            cannot be read, 73 --out cannot be written.

            Examples:
              gradscope diagnose gradscope-watch.jsonl
              gradscope diagnose run.jsonl --format json
              gradscope diagnose run.jsonl --out run-report
            """)

    @Argument(help: ArgumentHelp("The recorded stream.", valueName: "stream.jsonl"))
    var file: String

    @Option(help: "Output format: text or json (the same schema as `train --format json`).")
    var format: OutputFormat = .text

    @Option(
        help:
            "Also write metrics.csv, metrics.json, gradient-flow.svg and report.html to this directory (new or empty unless --force)."
    )
    var out: String?

    @Flag(help: "Write into a non-empty --out, replacing an earlier run's files there (never the stream read).")
    var force = false

    func run() throws {
        // Read in bounded pieces, never the whole file at once: a stream of any size is
        // diagnosed in bounded memory (the reader thins a very long history).
        guard FileManager.default.isReadableFile(atPath: file),
            (try? FileManager.default.attributesOfItem(atPath: file)[.type] as? FileAttributeType) != .typeDirectory
        else {
            let reason =
                FileManager.default.fileExists(atPath: file)
                ? "permission denied or a directory" : "no such file or directory"
            FileHandle.standardError.write(Data("gradscope diagnose: cannot read \(file): \(reason)\n".utf8))
            throw ExitCode(ExitStatus.noInput)
        }
        var follower = StreamFollower(path: file)
        follower.finish()
        follower.close()
        let stream: WatchStream
        do throws(WatchStreamError) {
            if let error = follower.error { throw error }
            stream = try follower.reader.finished()
        } catch {
            FileHandle.standardError.write(Data("gradscope diagnose: \(error.description)\n".utf8))
            throw ExitCode(ExitStatus.dataError)
        }
        let run = WatchedRun(stream: stream)
        var files = [String]()
        if let out {
            do {
                let folder = try RunFolder.claim(out, command: "diagnose", force ? .force : .fresh, keeping: file)
                files = try run.writeOutputs(to: out)
                withExtendedLifetime(folder) {}
            } catch let failure as CLIError {
                FileHandle.standardError.write(Data("gradscope diagnose: \(failure.description)\n".utf8))
                throw ExitCode(failure.exitCode)
            }
        }
        switch format {
        case .text: print(run.text(command: "diagnose", files: files))
        case .json: print(run.json(files: files))
        }
        if !run.completed { throw ExitCode(ExitStatus.evaluation) }
    }
}

/// A run's findings as `train` and `diagnose` print them: code, severity and summary, the
/// evidence, and the fixes with their flags.
enum FindingsText {
    static func lines(_ findings: [TrainingFinding], flags: Bool = true) -> [String] {
        guard !findings.isEmpty else { return ["diagnosis: no problem found"] }
        var lines = ["diagnosis:"]
        for f in findings {
            lines.append("  [\(f.code)] \(f.severity.rawValue): \(f.summary)")
            lines += f.evidence.map { "      " + $0 }
            lines += f.fixes.map { "    try: " + (flags ? SettingFlags.render($0) : $0.description) }
        }
        return lines
    }
}
