import ArgumentParser
import Datasets
import Foundation
import NeuralNet
import TensorCore
import Training

/// `gradscope-bench epoch`: one epoch of the vanishing-gradient demonstration (784-1000-750-500-10
/// sigmoid, softmax cross-entropy, batch 100, classical momentum η 0.01 μ 0.99, float32) through
/// the real training loop, with and without the gradient-flow monitors, against numpy's
/// `epoch_numpy.py` in the same run.
struct EpochBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "epoch",
        abstract: "Time one training epoch of the demonstration network against numpy, and the monitors' overhead.",
        discussion: """
            GradScope runs Trainer.train for one epoch on Fashion-MNIST when it is installed
            (/usr/share/datasets/fashion-mnist), else on synthetic data of the same size: seeded shuffling,
            batch gathering, forward, backward and the momentum step. It runs twice with the monitors read
            every --monitor-every batches and twice with them read only at step 0, alternating, and keeps
            the faster of each; the difference is the monitors' overhead. numpy runs epoch_numpy.py (the
            same network and update on synthetic data, shuffled with fancy indexing) with 1 and with all
            OpenBLAS threads. --examples 6000 gives a quick run, extrapolated to 60,000.

            Examples:
              swift run -c release gradscope-bench epoch
              swift run -c release gradscope-bench epoch --examples 6000 --no-numpy
            """)

    @Option(help: "Training examples in the epoch (60000: a full MNIST-sized epoch).") var examples = 60_000
    @Option(name: .customLong("monitor-every"), help: "Monitor frequency of the monitored runs.") var monitorEvery = 10
    @Option(help: "Rounds of GradScope (monitored, bare) and numpy, alternating; each keeps its fastest.") var repeats =
        2
    @Flag(help: "Skip the numpy and PyTorch anchors.") var noNumpy = false
    @Option(help: "Python interpreter for the anchor.") var python = "python3"
    @Option(
        help:
            "Python interpreter for the PyTorch anchor (default: the numpy one, else /usr/bin/python3, whichever imports torch)."
    )
    var torchPython: String?

    func run() throws {
        let data = try loadData()
        let sizes = [784, 1000, 750, 500, 10]
        let model: Sequential<Float> = try ArchitectureSpec(
            layers: sizes, activation: .sigmoid, initializer: .xavierUniform, seed: 0
        )
        .makeModel(sizes: sizes)
        let optimizer = OptimizerConfiguration(kind: .momentum, learningRate: 0.01, momentum: 0.99)
        // Each step's duration is the time between consecutive batch events; a monitored step's
        // includes its reading. The within-epoch difference between monitored and other steps
        // is the readings' cost free of the epoch-to-epoch noise of a shared machine.
        func epoch(monitorEvery: Int) throws -> (seconds: Double, samples: Int, readingCost: Double, otherStep: Double)
        {
            var trainer = try Trainer(
                model: model,
                configuration: TrainingConfiguration(
                    epochs: 1, batchSize: 100, seed: 0, monitorEvery: monitorEvery, optimizer: optimizer))
            let start = DispatchTime.now().uptimeNanoseconds
            var last = start
            var sums = (monitored: 0.0, monitoredCount: 0, other: 0.0, otherCount: 0)
            _ = try trainer.train(on: data.set) { event in
                guard case .batch(let progress) = event else { return }
                let now = DispatchTime.now().uptimeNanoseconds
                let seconds = Double(now - last) * 1e-9
                last = now
                // progress.step counts steps done; the step just finished is progress.step − 1.
                if (progress.step - 1) % monitorEvery == 0 {
                    sums.monitored += seconds; sums.monitoredCount += 1
                } else {
                    sums.other += seconds; sums.otherCount += 1
                }
            }
            let cost =
                sums.monitoredCount > 0 && sums.otherCount > 0
                ? sums.monitored / Double(sums.monitoredCount) - sums.other / Double(sums.otherCount) : 0
            return (
                Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9, trainer.history.samples.count, cost,
                sums.other / Double(max(sums.otherCount, 1))
            )
        }
        _ = try epoch(monitorEvery: 1_000_000)  // warm-up: page in the data, start GEMM threads
        let threadCounts = noNumpy ? [] : Set([1, ProcessInfo.processInfo.activeProcessorCount]).sorted()
        var monitored = Double.infinity, bare = Double.infinity, samples = 0
        var readingCosts = [Double](), otherSteps = [Double](), bareSteps = [Double]()
        var numpy = [Int: Double]()
        for _ in 0..<repeats {
            let m = try epoch(monitorEvery: monitorEvery)
            monitored = min(monitored, m.seconds); samples = m.samples
            readingCosts.append(m.readingCost); otherSteps.append(m.otherStep)
            let b = try epoch(monitorEvery: 1_000_000)
            bare = min(bare, b.seconds); bareSteps.append(b.otherStep)
            for threads in threadCounts {
                switch PythonAnchor.run(
                    "epoch_numpy.py", arguments: ["--examples", String(data.set.count)], threads: threads,
                    python: python)
                {
                case .success(let json):
                    numpy[threads] = min(numpy[threads] ?? .infinity, (json["secondsPerEpoch"] as? Double) ?? .nan)
                case .failure(let error):
                    print("  numpy: \(error)")
                }
            }
        }
        let scale = 60_000 / Double(data.set.count)
        print(
            "GradScope epoch: 784-1000-750-500-10 sigmoid, batch 100, momentum η 0.01 μ 0.99, float32, \(data.set.count) examples of \(data.name)"
        )
        print("  GEMM: \(GEMM.backendDescription); best of \(repeats) alternating rounds")
        print(
            String(
                format: "  gradscope, monitors every %d batches (%d readings): %6.2f s   (%.2f s per 60,000)",
                monitorEvery, samples, monitored, monitored * scale))
        print(
            String(
                format: "  gradscope, monitors off:                   %6.2f s   (%.2f s per 60,000)", bare, bare * scale
            ))
        print(
            String(
                format: "  monitor overhead, fastest epochs compared: %.1f%% of training time",
                100 * (monitored - bare) / bare))
        let reading = readingCosts.sorted()[readingCosts.count / 2]
        print(
            String(
                format:
                    "  monitor overhead, within each monitored epoch: %.2f ms per reading × %d = %.1f%% of the bare epoch (median of %d; target ≤ 10%%)",
                reading * 1e3, samples, 100 * reading * Double(samples) / bare, readingCosts.count))
        func median(_ x: [Double]) -> Double { x.sorted()[x.count / 2] }
        print(
            String(
                format: "  an unmonitored step: %.2f ms in the monitored epochs, %.2f ms in the bare ones (medians)",
                median(otherSteps) * 1e3, median(bareSteps) * 1e3))
        for threads in threadCounts {
            guard let seconds = numpy[threads] else { continue }
            print(
                String(
                    format:
                        "  numpy %d thr:                              %6.2f s   (%.2f s per 60,000)   numpy/gradscope time: %.2f× (monitored), %.2f× (bare)",
                    threads, seconds, seconds * scale, seconds / monitored, seconds / bare))
        }
        let torchPython = PythonAnchor.torchAnchorInterpreter(
            requested: self.torchPython, numpyPython: python,
            enabled: !threadCounts.isEmpty)
        torch: for threads in threadCounts {
            guard let torchPython else { break }
            switch PythonAnchor.run(
                "epoch_torch.py", arguments: ["--examples", String(data.set.count), "--threads", String(threads)],
                threads: threads, python: torchPython, environment: PythonAnchor.torchEnvironment)
            {
            case .success(let json) where json["error"] == nil:
                let seconds = (json["secondsPerEpoch"] as? Double) ?? .nan
                print(
                    String(
                        format:
                            "  torch %d thr:                              %6.2f s   (%.2f s per 60,000)   torch/gradscope time: %.2f× (monitored)",
                        threads, seconds, seconds * scale, seconds / monitored) + "  [torch \(json["torch"] ?? "?")]")
            case .success(let json):
                print("  PyTorch: \(json["error"] ?? "unavailable")")
                break torch
            case .failure(let error):
                print("  PyTorch: \(error)")
                break torch
            }
        }
    }

    func loadData() throws -> (set: ExampleSet<Float>, name: String) {
        if let split = try? DataSource.fashionMNIST.load().normalized(.unitInterval) {
            let n = min(examples, split.train.count)
            return (
                ExampleSet(
                    name: "fashion-mnist",
                    inputs: Tensor(shape: [n, 784], scalars: Array(split.train.images.prefix(n * 784))),
                    targets: .classes(Array(split.train.labels.prefix(n)))), "Fashion-MNIST"
            )
        }
        var rng = PRNG(seed: 0)
        return (
            ExampleSet(
                name: "synthetic", inputs: .uniform(shape: [examples, 784], using: &rng),
                targets: .classes((0..<examples).map { _ in rng.nextInt(below: 10) })), "synthetic data"
        )
    }
}
