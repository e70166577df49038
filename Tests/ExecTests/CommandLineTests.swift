import Foundation
import Testing
@testable import Exec

/// The built `gradscope` executable: exit statuses, reports, and Ctrl-C cleanup.
struct CommandLineTests {
    typealias S = ExecTestSupport

    /// `gradscope` beside the test bundle (swift build / swift test build every product).
    static let executable: String? = {
        var candidates = [String]()
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(
                URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("gradscope").path)
        }
        for bundle in Bundle.allBundles {
            candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("gradscope").path)
        }
        candidates.append(S.root.appendingPathComponent(".build/debug/gradscope").path)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Runs `gradscope arguments…` with sh quoting; returns (status, stdout, stderr).
    func gradscope(_ arguments: [String]) throws -> (ProgramExit, String, String) {
        let executable = try #require(Self.executable)
        let command = "exec " + ([executable] + arguments).map(quote).joined(separator: " ")
        let process = try ChildProcess(command: command, environment: ProcessInfo.processInfo.environment)
        process.closeStdin()
        let connection = Output(process)
        connection.readAll(seconds: 60)
        return (process.reap(), connection.stdout, connection.stderr)
    }

    func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: #"'\''"#) + "'" }

    @Test(
        .enabled(if: executable != nil, "the gradscope executable is not built"),
        arguments: [
            (["--exec", "python3 Examples/exec/ex4_nncost.py", "--jobs", "2"], Int32(0), "summary: PASS"),
            (
                ["--exec", "python3 Examples/exec/ex4_nncost_bug.py", "--jobs", "1"], 1,
                "bias-only: Only column 0 of Theta1 is wrong"
            ),
            (
                ["--exec", "python3 Examples/exec/ex4_nncost.py", "--mode", "sample", "--samples", "3"], 0,
                "summary: PASS"
            ),
            (
                ["--exec", "gradscope-no-such-program"], 3,
                "error: the program exited with status 127 (command not found?) before sending its hello"
            ),
            (["--exec", "python3 Examples/exec/ex4_nncost.py", "--jobs", "0"], 64, "--jobs must be at least 1, got 0"),
            (
                ["--exec", "python3 Examples/exec/ex4_nncost.py", "--timeout=0"], 64,
                "--timeout must be a positive number of seconds"
            ),
            (
                ["--exec", "python3 Examples/exec/ex4_nncost.py", "--bug", "output-delta-sign"], 64,
                "--exec and --bug cannot be combined"
            ),
            (["--jobs", "2"], 64, "--jobs and --timeout apply to --exec only"),
            (
                ["--exec", "python3 Examples/exec/softmax_vjp.py diag", "--jobs", "1"], 1,
                "diagonal-only: The analytic Jacobian ∂s/∂z is diagonal"
            ),
            (
                ["--exec", "python3 Examples/exec/softmax_vjp.py", "--projections", "0"], 64,
                "--projections must be between 1 and 10000"
            ),
            (["--exec-fds", "3"], 64, "--exec-fds takes R:W pairs"),
            (["--exec-fds", "3:4,4:5"], 64, "--exec-fds names descriptor 4 twice"),
            (["--exec-fds", "3:4", "--jobs", "2"], 64, "--jobs does not apply to --exec-fds"),
            // Descriptors no test runner holds open (7 and 8 sometimes are).
            (["--exec-fds", "900:901"], 3, "descriptor 900 (to read answers from) is not open in this process"),
            (["--budget", "nan"], 64, "--budget must be a positive number of seconds"),
            (["--projections", "2"], 64, "--exec-label and --projections apply to --exec and --exec-fds only")
        ])
    func exitStatuses(_ arguments: [String], _ status: Int32, _ text: String) throws {
        let (ended, out, err) = try gradscope(
            ["check"]
                + arguments.map {
                    $0.replacingOccurrences(of: "Examples/", with: S.root.path + "/Examples/")
                })
        #expect(ended == .exited(status), "\(out)\(err)")
        #expect((status == 64 ? err : out).contains(text), "\(out)\(err)")
    }

    @Test(.enabled(if: executable != nil, "the gradscope executable is not built"))
    func jsonAndHTMLReports() throws {
        let html = try S.temporaryDirectory().appendingPathComponent("check.html").path
        let (ended, out, _) = try gradscope([
            "check", "--exec", S.example("softmax_ce_nodes.py", "--diagonal-bug"),
            "--format", "json", "--report", html
        ])
        #expect(ended == .exited(1))
        let json = try JSONLineParser.parse(out.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(json["verdict"] == .string("fail"))
        #expect(json["blocks"]?.array?.compactMap { $0["name"]?.string } == ["W", "b"])
        #expect(try String(contentsOfFile: html, encoding: .utf8).contains("<html"))
    }

    /// Ctrl-C while the program computes: the checker stops every copy (they run in process
    /// groups of their own, which the terminal's SIGINT does not reach) and exits 130.
    @Test(.enabled(if: executable != nil, "the gradscope executable is not built"))
    func interruptStopsThePrograms() throws {
        let directory = try S.temporaryDirectory()
        let before =
            "open('\(directory.path)/' + os.environ['GRADSCOPE_JOB'] + '.pid', 'w').write(str(os.getpid()))\nimport time"
        let command = try S.script(S.rawProgram(answer: "time.sleep(60)", before: before))
        let executable = try #require(Self.executable)
        let process = try ChildProcess(
            command: "exec \(quote(executable)) check --exec \(quote(command)) --jobs 2 --timeout 100",
            environment: ProcessInfo.processInfo.environment)
        defer { process.reap() }
        let files = ["1.pid", "2.pid"].map { directory.appendingPathComponent($0).path }
        #expect(S.eventually(20) { files.allSatisfy { FileManager.default.fileExists(atPath: $0) } })
        usleep(200_000)  // both copies are now in the checker's registry, waiting for answers
        let programs = files.compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }.compactMap { Int32($0) }
        #expect(programs.count == 2 && programs.allSatisfy { !S.isGone($0) })
        kill(process.pid, SIGINT)
        #expect(process.waitForExit(seconds: 10))
        #expect(process.reap() == .exited(130))
        #expect(S.eventually { programs.allSatisfy(S.isGone) })
    }
}

/// Reads a child's stdout and stderr to the end.
final class Output {
    let process: ChildProcess
    var stdout = "", stderr = ""
    init(_ process: ChildProcess) { self.process = process }

    func readAll(seconds: Double) {
        var out = [UInt8](), err = [UInt8]()
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while (process.stdout >= 0 || process.stderr >= 0) && Date() < deadline {
            var fds = [
                pollfd(fd: process.stdout, events: Int16(POLLIN), revents: 0),
                pollfd(fd: process.stderr, events: Int16(POLLIN), revents: 0)
            ]
            guard poll(&fds, 2, 1000) > 0 else { continue }
            for (k, fd) in [process.stdout, process.stderr].enumerated() where fds[k].revents != 0 {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
                if n > 0 {
                    k == 0 ? out.append(contentsOf: buffer[0..<n]) : err.append(contentsOf: buffer[0..<n])
                } else if n == 0 {
                    process.closeOutput(fd)
                }
            }
        }
        stdout = String(decoding: out, as: UTF8.self)
        stderr = String(decoding: err, as: UTF8.self)
    }
}
