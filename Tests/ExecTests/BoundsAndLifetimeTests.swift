import Foundation
import Testing
import GradCheck
@testable import Exec

/// Reliability of the conversation: bounded lines, crashes seen through a grandchild's pipe,
/// and children that do not outlive the checker.
struct BoundsAndLifetimeTests {
    typealias S = ExecTestSupport

    /// A program that sends its hello and then writes without a newline: the checker stops
    /// reading at the line limit (1 MiB + 48 bytes per number for two numbers) with a message,
    /// instead of buffering without bound.
    @Test func endlessLineIsRefusedAtTheLimit() throws {
        let flood = "sys.stdout.write('1' * 65536); sys.stdout.flush()"
        let program = try S.script(
            """
            import json, sys
            print(json.dumps({"protocol": "gradscope/1", "x": [1.0, 2.0]}), flush=True)
            sys.stdin.readline()
            while True:
                \(flood)
            """)
        let start = Date()
        let report = S.run(program, timeout: 30)
        #expect(Date().timeIntervalSince(start) < 20)
        let limit = Connection.answerLineLimit(numbers: 2)
        #expect(report.verdict == .error)
        #expect(
            report.errorMessage?.hasPrefix(
                "the program wrote more than \(limit) bytes without a newline instead of answering request 1") == true,
            "\(report.errorMessage ?? "")")
    }

    /// The program crashes while a grandchild it started keeps the stdout pipe open: reported
    /// as the crash it is, well before the timeout.
    @Test func crashWithAGrandchildHoldingThePipe() throws {
        let program = try S.script(
            S.rawProgram(
                answer: "os._exit(5)",
                before: "import subprocess\nsubprocess.Popen(['sleep', '30'])"))
        let start = Date()
        let report = S.run("exec " + program, timeout: 25)
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(
            report.errorMessage?.hasPrefix("the program exited with status 5 before answering request 1") == true,
            "\(report.errorMessage ?? "")")
    }

    /// kill -9 of the checker: its child, busy and not reading stdin, dies with it.
    @Test(.enabled(if: CommandLineTests.executable != nil, "the gradscope executable is not built"))
    func childDiesWithAKilledChecker() throws {
        let directory = try S.temporaryDirectory()
        let pidFile = directory.appendingPathComponent("child.pid").path
        let program = try S.script(
            S.rawProgram(
                answer: "time.sleep(120)",
                before: "import time\nopen('\(pidFile)', 'w').write(str(os.getpid()))"))
        let executable = try #require(CommandLineTests.executable)
        let checker = try ChildProcess(
            command: "exec '\(executable)' check --exec 'exec \(program)' --jobs 1 --timeout 100",
            environment: ProcessInfo.processInfo.environment)
        defer { checker.reap() }
        #expect(S.eventually(20) { FileManager.default.fileExists(atPath: pidFile) })
        usleep(300_000)
        let child = try #require(Int32((try? String(contentsOfFile: pidFile, encoding: .utf8)) ?? ""))
        #expect(!S.isGone(child))
        kill(checker.pid, SIGKILL)
        #expect(S.eventually(10) { S.isGone(child) })
    }
}
