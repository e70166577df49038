import ArgumentParser
import Exec
import Foundation
import Training

/// `gradscope watch -- CMD ARGS…`: runs a program's own training loop with its
/// `gradscope-watch/1` stream wired to GradScope, shows progress and warnings as the rules
/// fire, and writes the outputs `train` writes.
struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run your own training program and diagnose its gradient flow as it trains.",
        discussion: """
            Starts CMD with GRADSCOPE_WATCH naming the file its gradscope-watch/1
            stream goes to (--out/watch.jsonl; docs/watch.md). In Python that is
            two lines: watcher = gradscope.watch(model, optimizer) for PyTorch, or
            gradscope.Watcher for numpy and JAX loops. The program's stdout and
            stderr pass through (with --format json its stdout goes to stderr);
            its stdin is empty; PYTHONUNBUFFERED=1 unless set. Progress and
            warnings appear on stderr as the same calibrated rules as `gradscope
            train` fire; at the end the diagnosis, with fixes in the program's terms
            (a setting it did not report is advice to check).

            Writes to --out: watch.jsonl (the stream, for `gradscope diagnose`),
            metrics.csv, metrics.json, gradient-flow.svg and report.html.

            The program runs in a process group of its own: Ctrl-C, SIGTERM and
            SIGHUP are passed on to the group (a second one kills it), and the
            outputs are written from what the stream holds. A signal gradscope was
            started with ignored (nohup) is not passed on. When the program exits,
            what is left of its group is killed. If gradscope itself is killed
            (SIGKILL), the kernel kills the program it started (PR_SET_PDEATHSIG),
            but not processes that program started in turn (a launcher's workers):
            stop gradscope with Ctrl-C or SIGTERM to stop them all. A reader of
            gradscope's output that goes away (| head) does not stop the program.

            Exit status: 0 the program completed; 3 it failed (its status and the
            end of its stderr quoted), its loss went non-finite, or its stream
            ends without `end`; 64 usage error; 65 a malformed stream (naming the
            line) or none at all; 73 --out cannot be written; 130 interrupted.

            Examples:
              gradscope watch -- python3 train.py
              gradscope watch --out run1 -- python3 Examples/python/watch_demo_torch.py
              gradscope watch --format json -- python3 train.py --epochs 3
              gradscope diagnose run1/watch.jsonl
            """)

    @Option(
        help:
            "Directory for watch.jsonl, metrics.csv, metrics.json, gradient-flow.svg and report.html; new or empty unless --force (default: gradscope-watch, or gradscope-watch-2, … when that holds an earlier run)."
    )
    var out: String?

    @Flag(help: "Write into a non-empty --out, replacing an earlier run's files there.")
    var force = false

    @Option(help: "Output format of the final summary on stdout: text or json (the schema of `train --format json`).")
    var format: OutputFormat = .text

    @Flag(help: "No progress or warnings on stderr (the program's own output still passes through).")
    var quiet = false

    @Argument(
        parsing: .postTerminator,
        help: ArgumentHelp("The training program and its arguments, after --.", valueName: "command"))
    var command: [String] = []

    func validate() throws {
        guard let program = command.first, !program.isEmpty else {
            throw ValidationError(
                "give the training program after --, for example: gradscope watch -- python3 train.py")
        }
    }

    func run() throws {
        do {
            try watch()
        } catch let failure as CLIError {
            Terminal.writeStderr("gradscope watch: \(failure.description)\n")
            throw ExitCode(failure.exitCode)
        }
    }

    func watch() throws {
        let directory = out ?? RunFolder.unused("gradscope-watch")
        let folder = try RunFolder.claim(directory, command: "watch", force ? .force : .fresh)
        let streamPath = URL(fileURLWithPath: directory).appendingPathComponent("watch.jsonl").standardizedFileURL.path
        try? FileManager.default.removeItem(atPath: streamPath)
        let session = WatchSession(
            command: command, streamPath: streamPath, programOutputToStderr: format == .json, quiet: quiet)
        try withExtendedLifetime(folder) {
            // The signals stay passed on (and a broken stdout ignored) until the outputs are written.
            try session.run { outcome in try report(outcome, directory: directory, streamPath: streamPath) }
        }
    }

    /// The diagnosis of a finished run on stdout and its files in `directory`; throws the exit.
    private func report(_ outcome: WatchSession.Outcome, directory: String, streamPath: String) throws {
        let say = { (text: String) in _ = Terminal.writeStderr("gradscope watch: \(text)\n") }
        let tail = outcome.stderrTail.isEmpty ? "" : ": \(outcome.stderrTail)"
        if let error = outcome.streamError {
            say(error.description)
            if outcome.exit != .exited(0) && !outcome.interrupted { say("the program \(outcome.exit)\(tail)") }
            throw ExitCode(ExitStatus.dataError)
        }
        guard let stream = outcome.stream else {
            if outcome.interrupted {
                say("interrupted before the program wrote its stream")
                throw ExitCode(ExitStatus.interrupted)
            }
            if outcome.exit != .exited(0) {
                say("the program \(outcome.exit)\(outcome.exit.hint) before writing a gradscope-watch/1 stream\(tail)")
                throw ExitCode(ExitStatus.evaluation)
            }
            say(
                "the program wrote no gradscope-watch/1 stream to \(streamPath) (GRADSCOPE_WATCH): does it call gradscope.watch(model, optimizer) or record with gradscope.Watcher?"
            )
            throw ExitCode(ExitStatus.dataError)
        }
        let run = WatchedRun(
            stream: stream, command: command, exit: outcome.exit, interruption: outcome.interruption,
            seconds: outcome.seconds)
        let files = [directory + "/watch.jsonl"] + (try run.writeOutputs(to: directory))
        switch format {
        case .text: print(run.text(command: "watch", files: files))
        case .json: print(run.json(files: files))
        }
        if run.programFailed && !outcome.interrupted { say("the program \(outcome.exit)\(outcome.exit.hint)\(tail)") }
        if outcome.interrupted {
            say("interrupted; wrote what the stream holds to \(directory)")
            throw ExitCode(ExitStatus.interrupted)
        }
        if !run.completed { throw ExitCode(ExitStatus.evaluation) }
    }
}
