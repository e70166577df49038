import Datasets
import Foundation
import Testing
import Training
@testable import gradscope

/// The gradscope binary beside the test bundle, run as a child process under an address-space
/// limit (`prlimit --as`), so that a test of a refused size cannot take the machine's memory.
enum Child {
    static let binary: String? = {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bundle, bundle.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("gradscope").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }()
    static let available = binary != nil && FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit")

    struct Result { var status: Int32; var signalled: Bool; var stdout: String; var stderr: String; var pid: Int32 }

    /// Starts gradscope `arguments` with at most `memory` bytes of address space.
    static func start(
        _ arguments: [String], memory: Int = 1 << 30, directory: String? = nil
    ) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
        process.arguments = ["--as=\(memory)", "--", binary!] + arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        return (process, out, err)
    }

    static func finish(_ p: (Process, Pipe, Pipe)) -> Result {
        let (process, out, err) = p
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
            stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self),
            pid: process.processIdentifier)
    }

    static func run(_ arguments: [String], memory: Int = 1 << 30, directory: String? = nil) throws -> Result {
        let result = finish(try start(arguments, memory: memory, directory: directory))
        // No process left behind: the child is gone (reaped).
        #expect(kill(result.pid, 0) != 0, "gradscope \(arguments) left its process behind")
        return result
    }
}

func temporaryFolder(_ name: String = "run") -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("gradscope-rel-\(name)-\(UUID().uuidString)").path
}

/// Every reproduction from issue #13, each with its expected exit status, in a child process
/// limited to 1 GiB of address space (a size that slipped through would be a crash, not 64).
@Suite(.enabled(if: Child.available, "needs the gradscope binary beside the tests and /usr/bin/prlimit"))
struct ReproductionTests {
    @Test(
        arguments: [
            (["train", "--hidden", "9223372036854775807", "--out", "x"], Int32(64)),
            (["train", "--hidden", "100000000", "--out", "x"], 64),
            (["check", "--layers", "3,9223372036854775807,3"], 64),
            (["check", "--hidden", "100000000", "--mode", "sample"], 64),
            (["check", "--examples", "100000000"], 64),
            (["check", "--layers", "100,5000,900", "--mode", "sample", "--max-memory", "100M"], 64),
            (["compare", "--hidden", "100000000", "--activation", "sigmoid,relu", "--out", "x"], 64),
            (["sweep", "--worst=-1"], 64),
            (["sweep", "--layers", "3,9223372036854775807,3"], 64),
            (["check", "--step", "nan"], 64),
            (["check", "--rows", "-1"], 64),
            (["check", "--mode", "directional", "--directions", "9223372036854775807"], 64),
            (["check", "--exec", "true", "--jobs", "9223372036854775807"], 64),
            (["train", "--epochs", "9223372036854775807", "--hidden", "4", "--max-memory", "1K", "--out", "x"], 64),
            (["train", "--batch", "9223372036854775807", "--epochs", "1", "--quiet", "--out", "x"], 0)
        ] as [([String], Int32)])
    func sizesAreRefusedBeforeAllocating(_ arguments: [String], _ expected: Int32) throws {
        let directory = temporaryFolder("sizes")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try Child.run(arguments, directory: directory)
        #expect(!result.signalled && result.status == expected, "\(arguments): \(result.status) \(result.stderr)")
        if expected == 64 && arguments.contains(where: { $0.contains("0000000") }) {
            #expect(result.stderr.contains("would need"), "\(result.stderr)")
        }
    }

    /// Without --out, a second run does not touch the first one's folder.
    @Test func theDefaultFolderIsNeverShared() throws {
        let directory = temporaryFolder("default-out")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for _ in 0..<2 {
            let result = try Child.run(["train", "--hidden", "4", "--epochs", "1", "--quiet"], directory: directory)
            #expect(result.status == 0, "\(result.stderr)")
        }
        #expect(FileManager.default.fileExists(atPath: directory + "/gradscope-out/checkpoint.gsckpt"))
        #expect(FileManager.default.fileExists(atPath: directory + "/gradscope-out-2/checkpoint.gsckpt"))
    }

    /// A valid header and 1 GiB of zeros in about 1 MB: exit 65 at once, under 256 MB.
    @Test func gzipBombIsRefusedWithBoundedMemory() throws {
        let directory = temporaryFolder("bomb")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var bomb = Gzip.compress([0, 0, 8, 3, 0, 0, 0, 10, 0, 0, 0, 28, 0, 0, 0, 28])
        let member = Gzip.compress([UInt8](repeating: 0, count: 1 << 20), level: 9)
        for _ in 0..<1024 { bomb += member }
        try Data(bomb).write(to: URL(fileURLWithPath: directory + "/train-images-idx3-ubyte.gz"))
        let labels: [UInt8] = [0, 0, 8, 1, 0, 0, 0, 10] + [UInt8](repeating: 1, count: 10)
        try Data(labels).write(to: URL(fileURLWithPath: directory + "/train-labels-idx1-ubyte"))
        try Data(labels).write(to: URL(fileURLWithPath: directory + "/t10k-labels-idx1-ubyte"))
        try Data([0, 0, 8, 3, 0, 0, 0, 10, 0, 0, 0, 28, 0, 0, 0, 28] + [UInt8](repeating: 0, count: 7840))
            .write(to: URL(fileURLWithPath: directory + "/t10k-images-idx3-ubyte"))
        let started = Date()
        let result = try Child.run(
            ["train", "--data", "mnist:" + directory, "--out", directory + "/out", "--quiet"], memory: 256 << 20)
        #expect(
            result.status == 65 && result.stderr.contains("more than the 7856 bytes"),
            "\(result.status) \(result.stderr)")
        #expect(Date().timeIntervalSince(started) < 10)
    }

    /// Crafted checkpoints (re-signed, so only validation stands between them and a trap): 65
    /// naming the field, under a memory limit.
    @Test func craftedCheckpointsExitSixtyFive() throws {
        let run = temporaryFolder("crafted")
        defer { try? FileManager.default.removeItem(atPath: run) }
        #expect(exitStatus(["train", "--hidden", "8", "--epochs", "1", "--quiet", "--out", run]) == 0)
        let path = run + "/checkpoint.gsckpt"
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let length = Int(
            original[8..<16].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        func craft(_ field: String, _ edit: (inout [String: Any]) -> Void) throws {
            var header = try JSONSerialization.jsonObject(with: Data(original[16..<(16 + length)])) as! [String: Any]
            edit(&header)
            let json = [UInt8](try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]))
            var file = Array("GSCKPT02".utf8)
            withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
            file += json + original[(16 + length)..<(original.count - 8)]
            var h: UInt64 = 0xCBF2_9CE4_8422_2325
            for b in file { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
            withUnsafeBytes(of: h.littleEndian) { file.append(contentsOf: $0) }
            try Data(file).write(to: URL(fileURLWithPath: path))
            let result = try Child.run(["train", "--resume", run, "--quiet"], memory: 512 << 20)
            #expect(
                !result.signalled && result.status == 65 && result.stderr.contains(field),
                "\(field): \(result.status) \(result.stderr)")
        }
        try craft("epochsCompleted") { $0["epochsCompleted"] = -5 }
        try craft("step") { $0["step"] = -1 }
        try craft("payloadElements") { $0["payloadElements"] = 1 << 62 }
        try craft("tensors[0]") { h in
            var t = h["tensors"] as! [[String: Any]]; t[0]["shape"] = [1 << 40, 1 << 40]; h["tensors"] = t
        }
        try craft("tensors[0]") { h in
            var t = h["tensors"] as! [[String: Any]]; t[0]["offset"] = Int.max; h["tensors"] = t
        }
        try craft("history") { h in
            var history = h["history"] as! [String: Any]
            var layers = history["layers"] as! [[String: Any]]; layers.removeLast(); history["layers"] = layers
            h["history"] = history
        }
        // An unsigned edit: the checksum covers the header.
        var edited = original
        edited[20] ^= 1
        try Data(edited).write(to: URL(fileURLWithPath: path))
        let result = try Child.run(["train", "--resume", run, "--quiet"], memory: 512 << 20)
        #expect(result.status == 65 && result.stderr.contains("checksum"), "\(result.stderr)")
    }

    /// `check --report` to a path that cannot be written: 73, documented, and the verdict is
    /// printed before the error.
    @Test func unwritableReportKeepsTheVerdict() throws {
        let result = try Child.run(["check", "--report", "/nonexistent-gradscope-dir/x.html"])
        #expect(result.status == 73)
        #expect(result.stdout.contains("PASS") || result.stdout.lowercased().contains("pass"), "\(result.stdout)")
        #expect(result.stderr.contains("pass") && result.stderr.contains("no such file"), "\(result.stderr)")
        #expect(Check.helpMessage().contains("73 the"))
    }
}

/// Permission errors say "permission denied" (and an unreadable data folder is not "not
/// found"). Run as an unprivileged user (root reads everything): as `nobody` through setpriv
/// when the tests run as root, as the user itself otherwise.
@Suite(
    .enabled(if: Child.available && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"), "needs setpriv"))
struct PermissionTests {
    func runUnprivileged(_ arguments: [String]) throws -> Child.Result {
        let process = Process()
        let out = Pipe(), err = Pipe()
        if getuid() == 0 {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", Child.binary!] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: Child.binary!)
            process.arguments = arguments
        }
        process.currentDirectoryURL = URL(fileURLWithPath: "/tmp")
        process.standardOutput = out
        process.standardError = err
        try process.run()
        return Child.finish((process, out, err))
    }

    @Test func permissionDeniedIsSaid() throws {
        let root = temporaryFolder("permissions")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/data", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/readonly", withIntermediateDirectories: true)
        chmod(root, 0o755)
        chmod(root + "/data", 0o700)
        chmod(root + "/readonly", 0o555)
        if getuid() == 0 { chown(root + "/data", 0, 0) }
        let data = try runUnprivileged([
            "train", "--data", "mnist:" + root + "/data", "--quiet", "--out", root + "/readonly/x"
        ])
        #expect(
            data.status == 65 && data.stderr.contains("permission denied") && !data.stderr.contains("not found"),
            "\(data.stderr)")
        let out = try runUnprivileged([
            "train", "--hidden", "4", "--epochs", "1", "--quiet", "--out", root + "/readonly/out"
        ])
        #expect(out.status == 73 && out.stderr.contains("permission denied"), "\(out.stderr)")
        let report = try runUnprivileged(["check", "--report", root + "/readonly/r.html"])
        #expect(
            report.status == 73 && report.stderr.contains("permission denied") && report.stderr.contains("pass"),
            "\(report.stderr)")
    }
}

/// A run folder belongs to one run.
struct RunFolderTests {
    @Test func aSecondRunIntoTheSameFolderIsRefusedUnlessForced() throws {
        let out = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: out) }
        #expect(
            exitStatus(["train", "--hidden", "8", "--epochs", "1", "--quiet", "--format", "json", "--out", out]) == 0)
        #expect(
            exitStatus(["train", "--hidden", "8", "--epochs", "1", "--quiet", "--format", "json", "--out", out]) == 73)
        // compare would leave the train run's checkpoint beside its own metrics: refused too…
        #expect(
            exitStatus([
                "compare", "--hidden", "8", "--activation", "sigmoid,relu", "--epochs", "1", "--quiet",
                "--format", "json", "--out", out
            ]) == 73)
        // …and with --force the old run's files go first.
        #expect(
            exitStatus([
                "compare", "--hidden", "8", "--activation", "sigmoid,relu", "--epochs", "1", "--quiet",
                "--format", "json", "--out", out, "--force"
            ]) == 0)
        #expect(!FileManager.default.fileExists(atPath: out + "/checkpoint.gsckpt"))
        // A folder holding someone else's file.
        let other = temporaryFolder("other")
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: other) }
        try "notes".write(toFile: other + "/notes.txt", atomically: true, encoding: .utf8)
        #expect(exitStatus(["train", "--hidden", "8", "--epochs", "1", "--quiet", "--out", other]) == 73)
        #expect(exitStatus(["tour", "--out", other, "--epochs", "1"]) == 73)
    }

    @Test func aFolderInUseIsRefusedNamingTheFirstRun() throws {
        let out = temporaryFolder()
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: out) }
        let fd = open(out + "/.gradscope.lock", O_RDWR | O_CREAT, 0o644)
        defer { close(fd) }
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        _ = "gradscope train, pid 4242, started earlier\n".withCString { write(fd, $0, strlen($0)) }
        #expect(exitStatus(["train", "--hidden", "8", "--epochs", "1", "--quiet", "--out", out]) == 73)
        #expect(
            exitStatus([
                "compare", "--hidden", "8", "--activation", "sigmoid,relu", "--epochs", "1", "--quiet", "--out", out
            ]) == 73)
    }

    @Test func resumeWritesIntoItsFolderAndRefusesContradictions() throws {
        let out = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: out) }
        #expect(
            exitStatus(["train", "--hidden", "8", "--epochs", "1", "--quiet", "--format", "json", "--out", out]) == 0)
        for flags in [
            ["--hidden", "9"], ["--lr", "0.1"], ["--optimizer", "adam"], ["--batch", "16"], ["--dtype", "float64"],
            ["--data", "fashion-mnist"], ["--seed", "3"], ["--activation", "relu"]
        ] {
            #expect(exitStatus(["train", "--resume", out, "--epochs", "2", "--quiet"] + flags) == 64, "\(flags)")
        }
        // Flags that agree with the checkpoint are fine; without --out the run continues in its folder.
        try "stale".write(toFile: out + "/.checkpoint.gsckpt.tmp-12345", atomically: true, encoding: .utf8)
        #expect(
            exitStatus([
                "train", "--resume", out, "--epochs", "2", "--hidden", "8", "--lr", "0.05", "--quiet", "--format",
                "json"
            ]) == 0)
        #expect(try CheckpointFile.readHeader(out + "/checkpoint.gsckpt").epochsCompleted == 2)
        #expect(
            !FileManager.default.fileExists(atPath: out + "/.checkpoint.gsckpt.tmp-12345"), "stale temporary file kept")
    }

    @Test func aNaNInTheFirstEpochDoesNotClaimACheckpoint() throws {
        let out = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: out) }
        #expect(
            exitStatus([
                "train", "--hidden", "32", "--activation", "relu", "--init", "he", "--optimizer", "sgd", "--lr", "1e8",
                "--epochs", "2", "--quiet", "--format", "json", "--out", out
            ]) == 3)
        let metrics = try String(contentsOfFile: out + "/metrics.json", encoding: .utf8)
        #expect(metrics.contains("no checkpoint was written yet") && !metrics.contains("checkpoint was kept"))
        #expect(!FileManager.default.fileExists(atPath: out + "/checkpoint.gsckpt"))
    }

    @Test func theTourMayReplaceItsOwnOutput() throws {
        let out = temporaryFolder("tour")
        defer { try? FileManager.default.removeItem(atPath: out) }
        #expect(exitStatus(["tour", "--out", out, "--epochs", "1"]) != 73)
        #expect(exitStatus(["tour", "--out", out, "--epochs", "1"]) != 73)
    }

    @Test func exitStatusesAreDocumented() {
        let train = Train.helpMessage().split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for text in ["130 interrupted", "--force", "--max-memory", "64 bad flags"] {
            #expect(train.contains(text), "\(text)")
        }
        let compare = Compare.helpMessage().split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for text in ["130 interrupted", "73 an output", "--force"] { #expect(compare.contains(text), "\(text)") }
        #expect(Sweep.helpMessage().contains("Exit status"))
        #expect(Tour.helpMessage().contains("73"))
    }
}

/// kill -9 at random moments (checkpoint writes included), then `--resume`, until the run is
/// done: the weights equal an uninterrupted run's bit for bit, no temporary file is left. And
/// Ctrl-C: exit 130 with metrics, report and a checkpoint that resumes bit for bit.
@Suite(.enabled(if: Child.available, "needs the gradscope binary beside the tests and /usr/bin/prlimit"), .serialized)
struct CrashSafetyTests {
    static let run = [
        "--hidden", "24", "--epochs", "8", "--batch", "16", "--monitor-every", "3", "--quiet", "--format", "json"
    ]

    func parameters(_ directory: String) throws -> ([[Float]], [String: [[Float]]]) {
        let c = try Checkpoint<Float>.read(from: directory + "/checkpoint.gsckpt")
        return (c.parameters.map(\.scalars), c.optimizerState.slots.mapValues { $0.map(\.scalars) })
    }

    func uninterrupted() throws -> (String, Int) {
        let straight = temporaryFolder("straight")
        let started = Date()
        let result = try Child.run(["train", "--out", straight] + Self.run)
        #expect(result.status == 0, "\(result.stderr)")
        return (straight, Int(Date().timeIntervalSince(started) * 1000))
    }

    @Test func killNineThenResumeIsBitForBit() throws {
        let (straight, milliseconds) = try uninterrupted()
        defer { try? FileManager.default.removeItem(atPath: straight) }
        let out = temporaryFolder("killed")
        defer { try? FileManager.default.removeItem(atPath: out) }
        var generator = SystemRandomNumberGenerator()
        var kills = 0, finished = false
        for _ in 0..<12 {
            let hasCheckpoint = FileManager.default.fileExists(atPath: out + "/checkpoint.gsckpt")
            let arguments =
                hasCheckpoint
                ? ["train", "--resume", out, "--epochs", "8", "--quiet", "--format", "json"]
                : ["train", "--out", out, "--force"] + Self.run
            let child = try Child.start(arguments)
            usleep(UInt32.random(in: 20_000...UInt32(max(40_000, milliseconds * 1000)), using: &generator))
            kill(child.0.processIdentifier, SIGKILL)
            let result = Child.finish(child)
            if result.signalled {
                kills += 1
            } else {
                #expect(result.status == 0, "\(result.stderr)"); finished = true; break
            }
            // Whatever the moment, what is on disk is either no checkpoint or a valid one.
            if FileManager.default.fileExists(atPath: out + "/checkpoint.gsckpt") {
                #expect(throws: Never.self) { _ = try CheckpointFile.readHeader(out + "/checkpoint.gsckpt") }
            }
        }
        if !finished {
            let arguments =
                FileManager.default.fileExists(atPath: out + "/checkpoint.gsckpt")
                ? ["train", "--resume", out, "--epochs", "8", "--quiet", "--format", "json"]
                : ["train", "--out", out, "--force"] + Self.run
            let result = try Child.run(arguments)
            #expect(result.status == 0, "\(result.stderr)")
        }
        #expect(kills >= 1)
        let a = try parameters(straight), b = try parameters(out)
        #expect(a.0 == b.0, "weights differ after \(kills) kills")
        #expect(a.1 == b.1, "optimizer state differs after \(kills) kills")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: out).filter { AtomicFile.isTemporary($0) }
        #expect(leftovers.isEmpty, "temporary files left: \(leftovers)")
    }

    @Test func ctrlCWritesEverythingAndResumesBitForBit() throws {
        let (straight, milliseconds) = try uninterrupted()
        defer { try? FileManager.default.removeItem(atPath: straight) }
        let out = temporaryFolder("interrupted")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let child = try Child.start(["train", "--out", out] + Self.run)
        usleep(UInt32(max(100_000, milliseconds * 400)))
        kill(child.0.processIdentifier, SIGINT)
        let result = Child.finish(child)
        guard result.status == 130 else {
            // The run finished before the signal: nothing to resume.
            #expect(result.status == 0, "\(result.stderr)"); return
        }
        #expect(result.stderr.contains("interrupted"), "\(result.stderr)")
        for file in ["metrics.csv", "metrics.json", "report.html", "gradient-flow.svg", "checkpoint.gsckpt"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + file), "\(file) missing after Ctrl-C")
        }
        #expect(result.stdout.contains("interrupted"))
        let resumed = try Child.run(["train", "--resume", out, "--quiet", "--format", "json"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let a = try parameters(straight), b = try parameters(out)
        #expect(a.0 == b.0 && a.1 == b.1, "the resumed run differs from the uninterrupted one")
    }

    @Test func ctrlCInCompareWritesMetricsAndReport() throws {
        let out = temporaryFolder("compare")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let child = try Child.start([
            "compare", "--hidden", "24", "--activation", "sigmoid,relu", "--epochs", "400", "--quiet", "--out", out
        ])
        usleep(1_500_000)
        kill(child.0.processIdentifier, SIGINT)
        let result = Child.finish(child)
        #expect(result.status == 130, "\(result.stderr)")
        #expect(result.stderr.contains("interrupted"))
        #expect(
            FileManager.default.fileExists(atPath: out + "/metrics.json")
                && FileManager.default.fileExists(atPath: out + "/report.html"))
    }
}

/// An `--exec` check of a large program stays lean: a sampled check of a 1,000,000-parameter
/// program runs under a 512 MB address-space limit. The noise measurement's offsets touch every
/// entry (~30 MB of request text each); they used to be built whole, nine in one buffer and
/// copied once more (about 1 GB here, 2.7 GB for 5 million parameters), and are now written a
/// megabyte at a time (``RequestEncoder``); the hello's and the gradient's numbers are read
/// straight into [Double].
@Suite(
    .enabled(
        if: Child.available && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"),
        "needs the binary, prlimit and python3"))
struct ExecMemoryTests {
    /// A quadratic cost ½ Σ aᵢ xᵢ² in plain Python; the value at an offset is the base value
    /// plus the offset's own terms, so an evaluation costs what its offset holds.
    static let program = #"""
        import json, random, sys
        n = int(sys.argv[1])
        rng = random.Random(1)
        x = [rng.uniform(-1, 1) for _ in range(n)]
        a = [rng.uniform(0.5, 2.0) for _ in range(n)]
        base = 0.5 * sum(ai * xi * xi for ai, xi in zip(a, x))
        print(json.dumps({"protocol": "gradscope/1", "parameters": [{"name": "w", "shape": [n]}], "x": x}), flush=True)
        for line in sys.stdin:
            r = json.loads(line)
            if r.get("op") == "exit":
                break
            off = r.get("offset") or {"indices": [], "values": []}
            value = base + sum(a[i] * (x[i] * d + 0.5 * d * d) for i, d in zip(off["indices"], off["values"]))
            answer = {"id": r["id"], "value": value}
            if r.get("gradient"):
                answer["gradient"] = [ai * xi for ai, xi in zip(a, x)]
            print(json.dumps(answer), flush=True)
        """#

    @Test func sampledCheckOfAMillionParameters() throws {
        let folder = temporaryFolder("exec-memory")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/quadratic.py"
        try Self.program.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try Child.run(
            [
                "check", "--exec", "python3 '\(path)' 1000000", "--mode", "sample", "--jobs", "1",
                "--format", "json"
            ], memory: 512 << 20)
        #expect(result.status == 0, "\(result.stderr.suffix(600))")
        #expect(!result.signalled)
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(report?["verdict"] as? String == "pass")
        #expect((report?["entries"] as? [Any])?.count == 16)
    }
}
