import ArgumentParser
import Foundation
import GradCheck
import NeuralNet
import TensorCore

/// `gradscope-bench check`: a full gradient check of ex4's full-size network (400 → 25 → 10,
/// m = 5000, 10,285 parameters, Double, λ = 1) against the classic numpy
/// `computeNumericalGradient` loop on the same sizes, in the same run; and the evaluations a
/// directional check needs.
struct CheckBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Full gradient check of ex4's 400→25→10 network vs numpy's computeNumericalGradient loop.")

    @Flag(help: "Time only 1,000 of numpy's coordinates and extrapolate (the full loop takes ~2 minutes).")
    var quick = false

    @Option(help: "OpenBLAS threads for numpy.")
    var numpyThreads: Int = 1

    @Option(help: "Python interpreter.")
    var python = "python3"

    func run() throws {
        print(
            "machine: \(GEMMMachineProbe.cpuBrand), \(ProcessInfo.processInfo.activeProcessorCount) cores; GEMM: \(GEMM.backendDescription)"
        )
        // ex4-debug (38 parameters): evaluations per entry of both schemes.
        let debug = try ModelObjective(
            try Preset.ex4Debug.problem(ArchitectureSpec(lambda: 3)) as SupervisedProblem<Double>)
        for economical in [false, true] {
            var configuration = CheckConfiguration()
            configuration.economical = economical
            let r = check(debug, configuration: configuration)
            print(
                "ex4-debug full check, \(economical ? "economical" : "two steps per entry"): verdict \(r.verdict.rawValue), \(r.evaluations) evaluations (\(String(format: "%.2f", Double(r.evaluations) / Double(r.entries.count))) per entry), \(String(format: "%.4f", r.seconds)) s"
            )
        }
        let problem: SupervisedProblem<Double> = try Preset.ex4.problem(ArchitectureSpec(lambda: 1, examples: 5000))
        let objective = try ModelObjective(problem)
        // Two steps for every entry (the scheme before the economical one), for comparison.
        var twoSteps = CheckConfiguration()
        twoSteps.economical = false
        let before = check(objective, configuration: twoSteps)
        print(
            "gradscope full check, two steps per entry: \(before.entries.count) entries, verdict \(before.verdict.rawValue), \(before.evaluations) evaluations (\(String(format: "%.2f", Double(before.evaluations) / Double(before.entries.count))) per entry), \(String(format: "%.2f", before.seconds)) s"
        )
        let rssBefore = peakRSSKiB()
        let start = Date()
        let report = check(objective)
        let ours = Date().timeIntervalSince(start)
        let rssAfter = peakRSSKiB()
        print(
            "gradscope full check: \(report.entries.count) entries, verdict \(report.verdict.rawValue), \(report.evaluations) evaluations (\(String(format: "%.2f", Double(report.evaluations) / Double(report.entries.count))) per entry), \(String(format: "%.2f", ours)) s, peak RSS \(rssBefore / 1024) → \(rssAfter / 1024) MiB"
        )

        let directional = check(objective, configuration: CheckConfiguration(mode: .directional(directions: 2)))
        print(
            "gradscope directional check: verdict \(directional.verdict.rawValue), \(directional.evaluations) evaluations, \(String(format: "%.3f", directional.seconds)) s"
        )

        guard let numpy = runNumpy() else { return }
        let seconds = numpy["secondsExtrapolatedFull"] as? Double ?? numpy["secondsMeasured"] as? Double ?? .nan
        let timed = numpy["coordinatesTimed"] as? Int ?? 0
        print(
            "numpy computeNumericalGradient (\(numpyThreads) thread(s)): \(String(format: "%.1f", seconds)) s for 10,285 coordinates (\(timed) timed\(timed < 10285 ? ", extrapolated" : ""))"
        )
        print(
            String(
                format: "ratio numpy / gradscope: %.1f×  (target ≥ 60×); two steps per entry: %.1f×", seconds / ours,
                seconds / before.seconds))
    }

    func runNumpy() -> [String: Any]? {
        let fm = FileManager.default
        let script = fm.currentDirectoryPath + "/Benchmarks/python/ex4_numgrad_numpy.py"
        guard fm.fileExists(atPath: script) else {
            print("numpy: \(script) not found; run from the package root"); return nil
        }
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "OPENBLAS_CORETYPE")
        env.removeValue(forKey: "OPENBLAS_L2_SIZE")
        for key in ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"] { env[key] = String(numpyThreads) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, script, "--examples", "5000", "--lambda", "1"] + (quick ? ["--limit", "1000"] : [])
        process.environment = env
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        do { try process.run() } catch { print("numpy: cannot start \(python): \(error)"); return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            print("numpy: no result (is numpy installed?)"); return nil
        }
        return object
    }
}

/// The process's peak resident set size (VmHWM) in KiB, from /proc/self/status (0 elsewhere).
func peakRSSKiB() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return Int(line.split(separator: " ").dropFirst().first { Int($0) != nil } ?? "0") ?? 0
    }
    return 0
}
