import Foundation
import GradCheck
@testable import Exec

/// Paths and helpers shared by the exec tests. Programs are Python with the standard library
/// only (CI machines have python3, not necessarily numpy).
enum ExecTestSupport {
    /// The package root, from this file's path (Tests/ExecTests/ExecTestSupport.swift).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func example(_ name: String, _ arguments: String = "") -> String {
        let path = root.appendingPathComponent("Examples/exec/\(name)").path
        return "python3 '\(path)'" + (arguments.isEmpty ? "" : " " + arguments)
    }

    /// A fresh directory for one test's scripts and files.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("gradscope-exec-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `source` to a script in a fresh directory; returns the command that runs it.
    static func script(_ source: String, arguments: String = "") throws -> String {
        let file = try temporaryDirectory().appendingPathComponent("program.py")
        try source.write(to: file, atomically: true, encoding: .utf8)
        return "python3 '\(file.path)'" + (arguments.isEmpty ? "" : " " + arguments)
    }

    /// A raw gradscope/1 program: hello for x, then `answer` gives the line to write (a Python
    /// expression over `r`, the parsed request, and `x`); by default f = ½‖x‖². `before` runs
    /// after the definitions and before the hello (it may redefine `x`, `point` or `default`).
    static func rawProgram(
        x: String = "[1.0, 2.0]", hello: String? = nil, answer: String? = nil, before: String = ""
    ) -> String {
        """
        import json, math, os, sys
        x = \(x)
        def point(r):
            p = list(x)
            off = r.get("offset")
            if off:
                for i, v in zip(off["indices"], off["values"]):
                    p[i] += v
            return p
        def default(r):
            p = point(r)
            out = {"id": r["id"], "value": 0.5 * sum(v * v for v in p)}
            if r.get("gradient"):
                out["gradient"] = p
            return json.dumps(out)
        \(before)
        print(\(hello ?? #"json.dumps({"protocol": "gradscope/1", "x": x})"#), flush=True)
        for line in sys.stdin:
            r = json.loads(line)
            if r.get("op") == "exit":
                break
            print(\(answer ?? "default(r)"), flush=True)
        """
    }

    /// The check as `gradscope check --exec` runs it.
    static func run(
        _ command: String, jobs: Int = 1, timeout: Double = 20,
        mode: CheckConfiguration.Mode = .full
    ) -> GradientReport {
        ExecCheck(command: command, jobs: jobs, timeout: timeout).run(CheckConfiguration(mode: mode)).report
    }

    /// Whether process `pid` is gone, or a zombie that this process is not the one to collect
    /// (an orphan waiting for init). A zombie child of ours means a missing `waitpid`.
    static func isGone(_ pid: pid_t) -> Bool {
        if kill(pid, 0) != 0 { return errno == ESRCH }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 1 else { return false }
        return fields[0] == "Z" && Int32(fields[1]) != getpid()
    }

    /// Polls `condition` for up to `seconds`.
    static func eventually(_ seconds: Double = 5, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }

    static var hasNumpy: Bool {
        (try? ExecObjective(
            command: "python3 -c 'import numpy, json; print(json.dumps({\"protocol\": \"gradscope/1\", \"x\": [1]}))'",
            timeout: 20)).map {
                $0.close(); return true
            } ?? false
    }
}
