import Foundation

/// Runs one of the `Benchmarks/python/*.py` anchors in a child process, in the same run as the
/// Swift measurement, and returns the JSON object it prints.
///
/// The child's environment drops OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE (set on this machine,
/// they force numpy's OpenBLAS onto slower kernels) and pins the BLAS thread count.
enum PythonAnchor {
    static func scriptPath(_ name: String) -> String? {
        let fm = FileManager.default
        var candidates = [fm.currentDirectoryPath + "/Benchmarks/python/" + name]
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(dir.appendingPathComponent("Benchmarks/python/" + name).path)
            dir = dir.deletingLastPathComponent()
        }
        return candidates.first { fm.fileExists(atPath: $0) }
    }

    /// The interpreter for the PyTorch anchors: `requested` when given; otherwise the first of
    /// `numpyPython` and the system's /usr/bin/python3 (where Debian's `python3-torch` installs
    /// torch, outside a pyenv or venv interpreter's path) that can import torch; nil if none can.
    static func torchInterpreter(requested: String?, numpyPython: String) -> String? {
        if let requested { return requested }
        for candidate in [numpyPython, "/usr/bin/python3"] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [candidate, "-c", "import torch"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            guard (try? process.run()) != nil else { continue }
            process.waitUntilExit()
            if process.terminationStatus == 0 { return candidate }
        }
        return nil
    }

    /// The script's JSON output, or a one-line reason it is unavailable.
    /// Environment for the PyTorch anchors: OpenMP threads that sleep when idle instead of
    /// spinning, so that on a small machine they do not take the cores from the BLAS threads
    /// of the next matrix product (with the default, active waiting, Debian's torch 1.13 on 2
    /// threads ran 40 % slower than with passive waiting).
    static let torchEnvironment = ["OMP_WAIT_POLICY": "PASSIVE"]

    /// The interpreter for the PyTorch anchors when the anchors run at all (`enabled`), or nil,
    /// having said "PyTorch: torch is not installed" when none imports torch.
    static func torchAnchorInterpreter(requested: String?, numpyPython: String, enabled: Bool) -> String? {
        guard enabled else { return nil }
        let found = torchInterpreter(requested: requested, numpyPython: numpyPython)
        if found == nil { print("  PyTorch: torch is not installed") }
        return found
    }

    /// This process's environment for an anchor child: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE
    /// removed, the BLAS and OpenMP thread counts pinned to `threads`, then `extra`.
    static func environment(threads: Int, extra: [String: String] = [:]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "OPENBLAS_CORETYPE")
        env.removeValue(forKey: "OPENBLAS_L2_SIZE")
        for key in ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"] { env[key] = String(threads) }
        env.merge(extra) { _, new in new }
        return env
    }

    static func run(
        _ script: String, arguments: [String], threads: Int, python: String = "python3",
        environment extra: [String: String] = [:]
    ) -> Result<[String: Any], AnchorError> {
        guard let path = scriptPath(script) else {
            return .failure(AnchorError("Benchmarks/python/\(script) not found"))
        }
        let env = environment(threads: threads, extra: extra)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, path] + arguments
        process.environment = env
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do { try process.run() } catch { return .failure(AnchorError("cannot start \(python): \(error)")) }
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard let object = try? JSONSerialization.jsonObject(with: out) as? [String: Any] else {
            let last = String(decoding: err, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? "no output"
            return .failure(AnchorError("\(script) failed: \(last)"))
        }
        return .success(object)
    }
}

struct AnchorError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Resident memory of this process from /proc/self/status (Linux); `nil` elsewhere.
enum ResidentMemory {
    /// (current VmRSS, peak VmHWM) in bytes.
    static func read() -> (current: Int, peak: Int)? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        func field(_ name: String) -> Int? {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return nil }
            return line.split(separator: " ").compactMap { Int($0) }.first.map { $0 * 1024 }
        }
        guard let current = field("VmRSS"), let peak = field("VmHWM") else { return nil }
        return (current, peak)
    }

    static func megabytes(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1_048_576) }
}
