import Foundation

/// Runs Benchmarks/python/gemm_numpy.py in a child process so numpy's
/// OpenBLAS is measured in the same run as the built-in kernels.
struct NumpyResult {
    var version: String
    var blas: String
    var gflops: [String: Double]
}

enum NumpyRunner {
    /// Measures all shapes with `threads` OpenBLAS threads, in the anchors' child environment
    /// (``PythonAnchor/environment(threads:extra:)``: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE,
    /// which force numpy's OpenBLAS onto slower Haswell kernels on this machine, are dropped so
    /// numpy runs the kernel it would pick by itself). The shapes go to the script on stdin.
    static func run(
        shapes: [GemmShape], double: Bool, threads: Int, minTime: Double,
        python: String
    ) -> Result<NumpyResult, NumpyError> {
        guard let script = PythonAnchor.scriptPath("gemm_numpy.py") else {
            return .failure(NumpyError("Benchmarks/python/gemm_numpy.py not found"))
        }
        let env = PythonAnchor.environment(threads: threads)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, script, "--dtype", double ? "float64" : "float32", "--min-time", String(minTime)]
        process.environment = env
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        do { try process.run() } catch { return .failure(NumpyError("cannot start \(python): \(error)")) }

        let payload: [[String: Any]] = shapes.map {
            [
                "name": $0.name, "m": $0.m, "n": $0.n, "k": $0.k,
                "transA": $0.transA == .transposed, "transB": $0.transB == .transposed
            ]
        }
        let data = (try? JSONSerialization.data(withJSONObject: payload)) ?? Data()
        input.fileHandleForWriting.write(data)
        try? input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()

        guard let object = try? JSONSerialization.jsonObject(with: out) as? [String: Any] else {
            let text = String(decoding: err, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? "no output"
            return .failure(NumpyError("numpy measurement failed: \(text)"))
        }
        if let message = object["error"] as? String { return .failure(NumpyError(message)) }
        let results = (object["results"] as? [String: Any] ?? [:]).compactMapValues { ($0 as? NSNumber)?.doubleValue }
        let blasInfo = (object["blas"] as? [[String: Any]] ?? []).map { info in
            ["internal_api", "version", "architecture", "num_threads"]
                .compactMap { key in info[key].map { "\(key)=\($0)" } }.joined(separator: " ")
        }.joined(separator: "; ")
        return .success(
            NumpyResult(
                version: object["numpy"] as? String ?? "?",
                blas: blasInfo.isEmpty ? "unknown (threadpoolctl not installed)" : blasInfo,
                gflops: results))
    }
}

struct NumpyError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
