import Foundation
import Testing
import Training

@testable import gradscope

/// `gradscope watch -- CMD`: the program's stream is followed and diagnosed, its output passes
/// through, and every way it can end has its exit status. The programs are shell scripts that
/// write a gradscope-watch/1 stream to $GRADSCOPE_WATCH (the Python adapters are tested with
/// real numpy and torch in python/tests and Examples/python).
@Suite(.enabled(if: Child.available, "needs the gradscope binary beside the tests and /usr/bin/prlimit"))
struct WatchCommandTests {
    static let hello =
        #"{"type": "hello", "protocol": "gradscope-watch/1", "layers": [{"name": "l1", "activation": "relu", "weights": 6}, {"name": "out", "activation": "identity", "weights": 3}], "settings": {"initialization": "he"}}"#

    static func sample(_ step: Int, dead: Double = 0.9) -> String {
        #"{"type": "sample", "step": \#(step), "epoch": 1, "loss": 0.5, "layers": [{"meanAbsoluteUpdate": 1e-3, "updateNorm": 1e-3, "weightNorm": 1, "gradientNorm": 0.1, "updateRatio": 1e-3, "activationMean": 0.1, "activationStd": 0.2, "saturation": null, "deadFraction": \#(dead)}, {"meanAbsoluteUpdate": 1e-3, "updateNorm": 1e-3, "weightNorm": 1, "gradientNorm": 0.1, "updateRatio": 1e-3, "activationMean": 0, "activationStd": 1, "saturation": null, "deadFraction": null}]}"#
    }

    /// A shell script in a fresh folder that appends `lines` to the stream, with `before`
    /// and `after` as shell commands around them; returns (folder, script path).
    static func program(_ lines: [String], before: String = "", after: String = "") throws -> (String, String) {
        let folder = temporaryFolder("watch")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let quoted = lines.map { "printf '%s\\n' '\($0)' >> \"$GRADSCOPE_WATCH\"" }
        let script = (["#!/bin/sh", before] + quoted + [after]).joined(separator: "\n") + "\n"
        let path = folder + "/train.sh"
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        return (folder, path)
    }

    static let completed =
        [hello] + (0..<5).map { sample(10 * $0) } + [
            #"{"type": "epoch", "epoch": 1, "trainLoss": 0.4, "testAccuracy": 0.9}"#,
            #"{"type": "end", "status": "completed"}"#
        ]

    @Test func completedRunWritesTheTrainOutputsAndPassesOutputThrough() throws {
        let (folder, script) = try Self.program(
            Self.completed, before: "echo 'program says hello'; echo 'program warns' >&2")
        let out = folder + "/run"
        let r = try Child.run(["watch", "--out", out, "--", script])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("program says hello"), "the program's stdout passes through")
        #expect(r.stderr.contains("program warns"), "the program's stderr passes through")
        #expect(r.stdout.contains("[dead-relu]"), "\(r.stdout)")
        #expect(r.stderr.contains("warning [dead-relu]"), "a live warning as the rule fires: \(r.stderr)")
        // Advice in the program's terms: it reported He, so He is not suggested; no flags.
        #expect(!r.stdout.contains("--"), "no GradScope flag in a watched program's advice: \(r.stdout)")
        #expect(!r.stdout.contains("use He initialisation"))
        for name in ["watch.jsonl", "metrics.csv", "metrics.json", "gradient-flow.svg", "report.html"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + name), "\(name)")
        }
        let csv = try String(contentsOfFile: out + "/metrics.csv", encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 1 + 5 * 2, "a header and one row per reading and layer")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/metrics.json")))
        let run = try #require(((json as? [String: Any])?["runs"] as? [[String: Any]])?.first)
        #expect((run["command"] as? [String]) == [script])
        #expect(((run["findings"] as? [[String: Any]])?.compactMap { $0["code"] as? String }) == ["dead-relu"])
        let report = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(report.contains("dead-relu") && report.contains("<svg"))
        // The recorded stream diagnoses the same way afterwards.
        #expect(exitStatus(["diagnose", out + "/watch.jsonl"]) == 0)
    }

    @Test func jsonSummaryHasTheTrainSchemaAndKeepsStdoutClean() throws {
        let (folder, script) = try Self.program(Self.completed, before: "echo 'program output'")
        let r = try Child.run(["watch", "--format", "json", "--out", folder + "/run", "--", script])
        #expect(r.status == 0)
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "stdout is one JSON object")
        let run = try #require(object["run"] as? [String: Any])
        #expect(run["completed"] as? Bool == true)
        let finding = try #require((run["findings"] as? [[String: Any]])?.first)
        #expect(finding["code"] as? String == "dead-relu")
        #expect(finding["summary"] is String && finding["evidence"] is [String] && finding["fixes"] is [String])
        #expect((object["files"] as? [String])?.count == 5)
        #expect(r.stderr.contains("program output"), "with --format json the program's stdout goes to stderr")
    }

    @Test func exitStatuses() throws {
        // The program fails: 3, its status and the end of its stderr quoted, outputs written.
        let (f1, failing) = try Self.program(
            Array(Self.completed.dropLast()), after: "echo 'ValueError: shapes do not match' >&2; exit 2")
        let failed = try Child.run(["watch", "--out", f1 + "/run", "--", failing])
        #expect(failed.status == 3)
        #expect(
            failed.stderr.contains("exited with status 2") && failed.stderr.contains("ValueError: shapes do not match"))
        #expect(FileManager.default.fileExists(atPath: f1 + "/run/report.html"), "what the stream holds is kept")

        // The loss went non-finite: 3.
        let (f2, nan) = try Self.program(
            [Self.hello, Self.sample(0), #"{"type": "end", "status": "non-finite-loss", "step": 3, "epoch": 1}"#])
        let diverged = try Child.run(["watch", "--out", f2 + "/run", "--", nan])
        #expect(diverged.status == 3)
        #expect(diverged.stdout.contains("non-finite-loss"))

        // A malformed line: 65, naming the file and the line.
        let (f3, bad) = try Self.program([Self.hello, Self.sample(0), #"{"type": "sample", "step": 1}"#])
        let malformed = try Child.run(["watch", "--out", f3 + "/run", "--", bad])
        #expect(malformed.status == 65)
        #expect(malformed.stderr.contains("watch.jsonl, line 3"), "\(malformed.stderr)")

        // No stream at all: 65; a program that does not exist: 3, saying so; no program: 64.
        let (f4, silent) = try Self.program([])
        let none = try Child.run(["watch", "--out", f4 + "/run", "--", silent])
        #expect(none.status == 65 && none.stderr.contains("wrote no gradscope-watch/1 stream"))
        let missing = try Child.run(["watch", "--out", f4 + "/run2", "--", f4 + "/no-such-program"])
        #expect(missing.status == 3 && missing.stderr.contains("status 127"), "\(missing.stderr)")
        #expect(try Child.run(["watch", "--out", f4 + "/run3"]).status == 64)
        #expect(try Child.run(["watch", "--out", f4 + "/run4", "--format", "yaml", "--", silent]).status == 64)

        // Arguments reach the program unquoted by any shell.
        let (f5, echo) = try Self.program(Self.completed, before: #"printf '<%s>' "$@""#)
        let args = try Child.run(["watch", "--out", f5 + "/run", "--", echo, "a b", "$HOME", "*"])
        #expect(args.stdout.contains("<a b><$HOME><*>"), "\(args.stdout)")

        // An --out that holds another run's files is refused (73), as for train.
        #expect(try Child.run(["watch", "--out", f5 + "/run", "--", echo]).status == 73)
    }

    /// A setting value GradScope does not know is a note, live and in the summary, not a reason
    /// to refuse a run the program has trained; a diverged run's null figures are read as such.
    @Test func unknownSettingsAreNotedAndNullFiguresRead() throws {
        let hello = Self.hello.replacingOccurrences(
            of: #""initialization": "he""#, with: #""initialization": "he", "optimizer": "lion""#)
        let diverged = Self.sample(50).replacingOccurrences(of: "1e-3", with: "null")
        let lines =
            [hello] + (0..<4).map { Self.sample(10 * $0) } + [
                diverged, #"{"type": "end", "status": "non-finite-loss", "step": 50, "epoch": 1}"#
            ]
        let (folder, script) = try Self.program(lines)
        let r = try Child.run(["watch", "--out", folder + "/run", "--", script])
        #expect(r.status == 3, "non-finite loss, not a malformed stream: \(r.stderr)")
        #expect(r.stderr.contains("gradscope watch: note: settings.optimizer 'lion' is not one GradScope knows"))
        #expect(r.stdout.contains("note: settings.optimizer 'lion'") && r.stdout.contains("[non-finite-loss]"))
        #expect(FileManager.default.fileExists(atPath: folder + "/run/report.html"))
    }

    /// A program names its own layers: a name with a comma, quotes and markup stays one CSV
    /// field and is escaped in the report and the plot.
    @Test func layerNamesAreQuotedAndEscaped() throws {
        let name = #"a,\"b<script>x</script>"#
        let hello = Self.hello.replacingOccurrences(of: #""name": "l1""#, with: #""name": "\#(name)""#)
        let lines = [hello] + (0..<4).map { Self.sample(10 * $0) } + [#"{"type": "end", "status": "completed"}"#]
        let (folder, script) = try Self.program(lines.map { $0.replacingOccurrences(of: "'", with: "") })
        let r = try Child.run(["watch", "--out", folder + "/run", "--", script])
        #expect(r.status == 0, "\(r.stderr)")
        let csv = try String(contentsOfFile: folder + "/run/metrics.csv", encoding: .utf8)
        #expect(csv.contains(#""a,""b<script>x</script>""#), "one RFC 4180 field: \(csv.prefix(400))")
        for file in ["report.html", "gradient-flow.svg"] {
            let text = try String(contentsOfFile: folder + "/run/" + file, encoding: .utf8)
            #expect(!text.contains("<script>"), "\(file) escapes the layer name")
        }
    }

    /// Ctrl-C (SIGINT) and SIGTERM are passed on to the program's whole group, the outputs are
    /// written from what the stream holds, and the stop names the signal.
    @Test(arguments: [(SIGINT, "Ctrl-C (SIGINT)"), (SIGTERM, "SIGTERM")])
    func signalsArePassedOnAndNothingOutlivesGradscope(signal: Int32, name: String) throws {
        let (folder, script) = try Self.program(
            [Self.hello] + (0..<4).map { Self.sample(10 * $0) },
            after: "sleep 60 & echo $! > \"$0.grandchild\"; echo $$ > \"$0.pid\"; wait")
        let started = try Child.start(["watch", "--out", folder + "/run", "--", script])
        let pidFile = script + ".pid", grandchildFile = script + ".grandchild"
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: pidFile) && Date() < deadline { usleep(20_000) }
        usleep(300_000)
        // prlimit execs gradscope, so the process is gradscope itself.
        kill(started.0.processIdentifier, signal)
        let r = Child.finish(started)
        #expect(r.status == 130, "\(r.stderr)")
        #expect(r.stdout.contains("interrupted: \(name) was passed on to the program"), "\(r.stdout)")
        #expect(
            FileManager.default.fileExists(atPath: folder + "/run/report.html"), "outputs from what the stream holds")
        for file in [pidFile, grandchildFile] {
            #expect(Self.gone(try Self.pid(file)), "\(file): the program's process group is gone")
        }
    }

    /// Started under `nohup` (SIGHUP ignored), gradscope keeps the ignore and passes no hangup
    /// on: the program runs to its end.
    @Test func anIgnoredHangupStaysIgnored() throws {
        let (folder, script) = try Self.program(
            Self.completed, before: "echo $$ > \"$0.pid\"; while [ ! -f \"$0.go\" ]; do sleep 0.05; done")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/nohup")
        process.arguments = [Child.binary!, "watch", "--out", folder + "/run", "--", script]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: script + ".pid") && Date() < deadline { usleep(20_000) }
        usleep(200_000)
        kill(process.processIdentifier, SIGHUP)  // nohup execs gradscope
        usleep(200_000)
        _ = FileManager.default.createFile(atPath: script + ".go", contents: nil)
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0, "\(stderr)")
        #expect(!stdout.contains("interrupted"), "\(stdout)")
    }

    /// A reader of gradscope's output that goes away (`| head -1`) stops neither gradscope nor
    /// the program: the rest of the output is dropped (EPIPE) but still drained, the program
    /// runs to its end, and the outputs are written. Both with only stdout piped and with
    /// stderr too (where the live warnings go).
    @Test(arguments: ["", "2>&1"])
    func aReaderThatGoesAwayStopsNothing(redirect: String) throws {
        let (folder, script) = try Self.program(
            Self.completed, before: "seq 1 50000; seq 1 50000 >&2; sleep 0.2",
            after: "seq 1 50000; echo finished > \"$0.finished\"")
        let out = folder + "/run"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [
            "-c",
            "\"$0\" watch --out \"$1\" -- \"$2\" \(redirect) | head -1 > /dev/null; echo ${PIPESTATUS[0]} > \"$1.status\"",
            Child.binary!, out, script
        ]
        let err = Pipe()
        process.standardError = err
        try process.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let status = try String(contentsOfFile: out + ".status", encoding: .utf8)
        #expect(status.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "\(stderr.suffix(300))")
        #expect(FileManager.default.fileExists(atPath: script + ".finished"), "the program ran to its end")
        #expect(FileManager.default.fileExists(atPath: out + "/report.html"), "the outputs are written")
    }

    /// The program (the process gradscope started, here `sleep` exec'd by the script) dies with
    /// gradscope; what a program starts itself is its own to stop.
    @Test func aProgramDiesWithAKilledGradscope() throws {
        let (folder, script) = try Self.program([Self.hello], after: "echo $$ > \"$0.pid\"; exec sleep 60")
        let started = try Child.start(["watch", "--out", folder + "/run", "--", script])
        let pidFile = script + ".pid"
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: pidFile) && Date() < deadline { usleep(20_000) }
        usleep(100_000)
        kill(started.0.processIdentifier, SIGKILL)
        _ = Child.finish(started)
        #expect(
            Self.gone(try Self.pid(pidFile)),
            "PR_SET_PDEATHSIG: the program does not outlive a gradscope killed with SIGKILL")
    }

    static func pid(_ file: String) throws -> Int32 {
        try #require(
            Int32(String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    /// Whether `pid` has exited within two seconds (a zombie that its new parent has not yet
    /// collected counts as exited: SIGKILL is delivered, not waited for).
    static func gone(_ pid: Int32) -> Bool {
        for _ in 0..<100 {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
            if let close = stat.lastIndex(of: ")"), stat[stat.index(close, offsetBy: 2)] == "Z" { return true }
            usleep(20_000)
        }
        return false
    }
}

/// The follower reads a stream as it is written: lines split across reads, a rewritten file and
/// a line without end are refused naming the line.
struct StreamFollowerTests {
    func append(_ text: String, to path: String) throws {
        let handle =
            FileHandle(forWritingAtPath: path)
            ?? {
                _ = FileManager.default.createFile(atPath: path, contents: nil)
                return FileHandle(forWritingAtPath: path)!
            }()
        handle.seekToEndOfFile()
        handle.write(Data(text.utf8))
        try handle.close()
    }

    @Test func linesSplitAcrossWritesAreReadWhole() throws {
        let path = temporaryFolder("follow") + ".jsonl"
        var follower = StreamFollower(path: path)
        var events = [WatchStream.Event]()
        follower.poll { e, _ in events.append(e) }
        #expect(!follower.fileExists && events.isEmpty, "no file yet: nothing read, no error")
        let hello = WatchCommandTests.hello, sample = WatchCommandTests.sample(0)
        try append(hello + "\n" + sample.prefix(40), to: path)
        follower.poll { e, _ in events.append(e) }
        #expect(events == [.hello])
        try append(String(sample.dropFirst(40)) + "\n", to: path)
        follower.poll { e, s in
            events.append(e); #expect(s.history.samples.count == (e == .sample ? 1 : 0))
        }
        #expect(events == [.hello, .sample])
        try append(#"{"type": "end", "status": "completed"}"#, to: path)  // no newline at the end
        follower.poll { e, _ in events.append(e) }
        #expect(events.count == 2, "an incomplete line waits")
        follower.finish { e, _ in events.append(e) }
        #expect(events.last == .end && follower.reader.stream?.ended == true && follower.error == nil)
        follower.close()
        try? FileManager.default.removeItem(atPath: path)
    }

    /// What is left when the program exits may be far more than one poll reads: `finish`
    /// reads it all (it once read one 4 MiB piece and took the cut line as the last one).
    @Test func finishReadsEverythingLeft() throws {
        let path = temporaryFolder("follow") + ".jsonl"
        let sample = WatchCommandTests.sample(0)
        let count = 3 * StreamFollower.maximumBytesPerPoll / sample.utf8.count
        let text =
            ([WatchCommandTests.hello] + Array(repeating: sample, count: count) + [
                #"{"type": "end", "status": "completed"}"#
            ]).joined(separator: "\n") + "\n"
        try append(text, to: path)
        var follower = StreamFollower(path: path)
        follower.finish()
        #expect(follower.error == nil, "\(String(describing: follower.error))")
        #expect(follower.reader.stream?.history.samples.count == count)
        #expect(follower.reader.stream?.ended == true)
        follower.close()
        try? FileManager.default.removeItem(atPath: path)
    }

    @Test func truncatedAndEndlessLinesAreMalformed() throws {
        let path = temporaryFolder("follow") + ".jsonl"
        try append(WatchCommandTests.hello + "\n" + WatchCommandTests.sample(0) + "\n", to: path)
        var follower = StreamFollower(path: path)
        follower.poll { _, _ in }
        try "".write(toFile: path, atomically: false, encoding: .utf8)
        follower.poll { _, _ in }
        guard case .malformed(_, 3, let reason)? = follower.error else {
            Issue.record("expected line 3 malformed, got \(String(describing: follower.error))"); return
        }
        #expect(reason.contains("truncated"))
        follower.close()

        let long = temporaryFolder("follow") + ".jsonl"
        try append(
            WatchCommandTests.hello + "\n" + String(repeating: "x", count: StreamFollower.maximumLineBytes + 1),
            to: long)
        var endless = StreamFollower(path: long)
        endless.poll { _, _ in }
        endless.poll { _, _ in }
        endless.poll { _, _ in }
        endless.poll { _, _ in }
        endless.poll { _, _ in }
        guard case .malformed(_, 2, let why)? = endless.error else {
            Issue.record("expected line 2 malformed, got \(String(describing: endless.error))"); return
        }
        #expect(why.contains("longer than"))
        endless.close()
        for p in [path, long] { try? FileManager.default.removeItem(atPath: p) }
    }
}
