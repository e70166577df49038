import Foundation
import Testing
import GradCheck
@testable import Exec

/// Programs that misbehave: each gives verdict `error` (exit status 3) with one exact line,
/// never a pass, never a hang.
struct RobustnessTests {
    typealias S = ExecTestSupport

    func expectError(
        _ command: String, _ message: String, jobs: Int = 1, timeout: Double = 20,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let report = S.run(command, jobs: jobs, timeout: timeout)
        #expect(report.verdict == .error, sourceLocation: sourceLocation)
        #expect(report.verdict.exitCode == 3, sourceLocation: sourceLocation)
        #expect(report.errorMessage == message, sourceLocation: sourceLocation)
        #expect(!(report.errorMessage ?? "").contains("\n"), sourceLocation: sourceLocation)
    }

    @Test func crashWhileAnswering() throws {
        let command = try S.script(S.rawProgram(answer: #"1 / 0"#))
        let report = S.run(command)
        #expect(report.verdict == .error)
        let message = try #require(report.errorMessage)
        #expect(
            message.hasPrefix(
                "the program exited with status 1 before answering request 1 (value and gradient at x); stderr: "),
            "\(message)")
        #expect(message.hasSuffix("ZeroDivisionError: division by zero"), "\(message)")
    }

    @Test func crashBeforeHello() throws {
        let command = try S.script("import sys\nsys.stderr.write('cannot load weights.npz\\n')\nsys.exit(2)\n")
        expectError(
            command, "the program exited with status 2 before sending its hello; stderr: cannot load weights.npz")
    }

    @Test func killedBySignal() throws {
        // `exec`: the program itself, not a shell, is the process whose status is reported.
        let command = "exec " + (try S.script(S.rawProgram(answer: "os.kill(os.getpid(), 11)")))
        expectError(
            command,
            "the program was killed by signal 11 (SIGSEGV) before answering request 1 (value and gradient at x)")
        // Through a shell that waits for it, the same death is status 128 + 11.
        let shell = try S.script(S.rawProgram(answer: "os.kill(os.getpid(), 11)"))
        let report = S.run("true; " + shell)
        #expect(
            report.errorMessage?.hasPrefix(
                "the program exited with status 139 (128 + 11: SIGSEGV) before answering request 1 (value and gradient at x)"
            ) == true,
            "\(report.errorMessage ?? "")")
    }

    @Test func commandNotFound() {
        let report = S.run("gradscope-no-such-program --flag")
        #expect(report.verdict == .error)
        #expect(
            report.errorMessage?.hasPrefix(
                "the program exited with status 127 (command not found?) before sending its hello; stderr: ") == true,
            "\(report.errorMessage ?? "")")
        #expect(report.errorMessage?.contains("gradscope-no-such-program") == true)
    }

    @Test func exitsWithoutHello() {
        expectError("true", "the program exited with status 0 before sending its hello")
    }

    @Test func hangsPastTheTimeout() throws {
        let command = try S.script(S.rawProgram(answer: "time.sleep(60)", before: "import time"))
        let start = Date()
        expectError(
            command,
            "the program did not answer request 1 (value and gradient at x) within 0.5 s (timeout; a program that does not flush stdout after each line also looks like this)",
            timeout: 0.5)
        #expect(Date().timeIntervalSince(start) < 5)
    }

    @Test func helloNeverComes() throws {
        let command = try S.script("import time\ntime.sleep(60)\n")
        expectError(
            command,
            "the program did not send its hello within 0.5 s (timeout; a program that does not flush stdout after each line also looks like this)",
            timeout: 0.5)
    }

    @Test func printsNonJSON() throws {
        let command = try S.script(S.rawProgram(answer: #""computing...""#))
        expectError(
            command,
            "the program wrote a line that is not JSON instead of answering request 1 (value and gradient at x) (not JSON at byte 0): 'computing...'; anything but protocol messages must go to stderr"
        )
    }

    @Test func printsBeforeHello() throws {
        let command = try S.script("print('loading data...')\n" + S.rawProgram())
        expectError(
            command,
            "the program wrote a line that is not JSON instead of sending its hello (not JSON at byte 0): 'loading data...'; anything but protocol messages must go to stderr"
        )
    }

    @Test func answersWithTheWrongID() throws {
        let command = try S.script(
            S.rawProgram(answer: #"json.dumps({"id": r["id"] + 1, "value": 1.0, "gradient": x})"#))
        expectError(
            command,
            "request 1 (value and gradient at x) was answered with id 2; answers must come in order, one per request")
    }

    @Test func gradientOfTheWrongLength() throws {
        let command = try S.script(
            S.rawProgram(answer: #"json.dumps({"id": r["id"], "value": 1.0, "gradient": [1.0]})"#))
        expectError(
            command, "request 1 (value and gradient at x): the gradient has 1 entry, expected 2 (one per entry of x)")
    }

    @Test func noHelloButAnAnswer() throws {
        let command = try S.script(S.rawProgram(hello: #"json.dumps({"id": 0, "value": 1.0})"#))
        expectError(
            command, "not a gradscope/1 hello: the first line has no \"protocol\" member: {\"id\": 0, \"value\": 1}")
    }

    @Test func wrongProtocol() throws {
        let command = try S.script(S.rawProgram(hello: #"json.dumps({"protocol": "gradscope/2", "x": x})"#))
        expectError(
            command, "not a gradscope/1 hello: the program speaks \"gradscope/2\", this checker speaks \"gradscope/1\"")
    }

    @Test func malformedHello() throws {
        let command = try S.script(
            S.rawProgram(
                hello: #"json.dumps({"protocol": "gradscope/1", "x": x, "parameters": [{"name": "W", "shape": [3]}]})"#)
        )
        expectError(command, "not a gradscope/1 hello: the parameters (W [3]) hold 3 values but \"x\" has 2")
    }

    @Test func programAnswersAnError() throws {
        let command = try S.script(
            S.rawProgram(
                answer: #"json.dumps({"id": r["id"], "error": "ValueError: shapes (5,4) and (3,) not aligned"})"#))
        expectError(
            command,
            "request 1 (value and gradient at x): the program answered with an error: ValueError: shapes (5,4) and (3,) not aligned"
        )
    }

    /// NaN at an offset point while f(x) is finite: the checker names the block and entry.
    @Test func nanAtAnOffsetPoint() throws {
        let answer =
            #"json.dumps({"id": r["id"], "value": float("nan")}) if r.get("offset", {}).get("indices") == [1] else default(r)"#
        let command = try S.script(S.rawProgram(answer: answer))
        expectError(
            command,
            "the objective's value is not finite at a perturbed point (entry 1 of block x) while finite at the point itself"
        )
    }

    /// null (NaN) and ±Infinity tokens travel through the protocol to the checker's messages.
    @Test func nonFiniteTokensInAnswers() throws {
        let nullValue = try S.script(
            S.rawProgram(answer: #"'{"id": %d, "value": null, "gradient": [1, 2]}' % r["id"]"#))
        expectError(nullValue, "the objective's value is not finite at the point to check")
        let infiniteGradient = try S.script(
            S.rawProgram(answer: #"'{"id": %d, "value": 1.5, "gradient": [1, -Infinity]}' % r["id"]"#))
        expectError(infiniteGradient, "the analytic gradient is not finite at entry 1")
    }

    /// After a failure the objective stays broken, and its children are gone.
    @Test func brokenObjectiveStaysBrokenAndLeavesNoChildren() throws {
        let command = try S.script(S.rawProgram(answer: #"json.dumps({"id": 99, "value": 1.0})"#))
        let objective = try ExecObjective(command: command, jobs: 2, timeout: 20)
        let pids = objective.pool.connections.map(\.process.pid)
        #expect(throws: ExecError.self) { try objective.evaluate([Request(), Request()]) }
        #expect(throws: ExecError.self) { try objective.evaluate([Request()]) }
        objective.close()
        #expect(pids.allSatisfy(S.isGone))
    }
}
