import ArgumentParser
import Foundation
import NeuralNet
import TensorCore
import Training

/// `gradscope-bench train-step`: one training step (forward, backward, SGD update) of a dense
/// sigmoid network with softmax cross-entropy, against numpy's `train_step_numpy.py` with the
/// same shapes, in the same run; and whether memory stays flat across steps.
struct TrainStepBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-step",
        abstract: "Time one training step of the 784-1000-750-500-10 sigmoid network against numpy.",
        discussion: """
            GradScope's step is TrainingWorkspace.forward + backwardAndUpdate (the SGD update of the
            weights fused into the weight-gradient GEMMs); numpy's is the hand-written backprop of Benchmarks/python/train_step_numpy.py (same
            layers, same batch, float32, lr 0.01). numpy runs with 1 and with all OpenBLAS threads, with
            OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from its environment. Memory: resident size after
            the warm-up and after the timed steps, and the process's peak.

            Examples:
              swift run -c release gradscope-bench train-step
              swift run -c release gradscope-bench train-step --steps 100 --dtype float64
            """)

    @Option(help: "Layer sizes, input to output.") var layers = "784,1000,750,500,10"
    @Option(help: "Examples per batch.") var batch = 100
    @Option(help: "Timed steps.") var steps = 50
    @Option(help: "Untimed steps first.") var warmup = 5
    @Option(help: "float32 or float64.") var dtype = "float32"
    @Option(help: "Hidden activation: sigmoid or relu.") var activation = "sigmoid"
    @Flag(help: "Skip the numpy and PyTorch anchors.") var noNumpy = false
    @Option(help: "Python interpreter for the anchor.") var python = "python3"
    @Option(
        help:
            "Python interpreter for the PyTorch anchor (default: the numpy one, else /usr/bin/python3, whichever imports torch)."
    )
    var torchPython: String?

    @Option(help: "Rounds: GradScope and numpy alternate; each keeps its best round's median.") var rounds = 3

    func run() throws {
        let sizes = try parseSizes(layers)
        let kind = ActivationKind(rawValue: activation) ?? .sigmoid
        let threadCounts = noNumpy ? [] : Set([1, ProcessInfo.processInfo.activeProcessorCount]).sorted()
        var best = Double.infinity, bestMean = Double.infinity
        var memory: (Int, Int, Int)?
        var numpyBest = [Int: (median: Double, mean: Double)]()
        var numpyVersion = "?"
        for _ in 0..<rounds {
            let result =
                dtype == "float64" ? try measure(Double.self, sizes, kind) : try measure(Float.self, sizes, kind)
            if result.median < best { best = result.median; bestMean = result.mean }
            memory = result.memory
            for threads in threadCounts {
                let arguments = [
                    "--dtype", dtype, "--batch", String(batch), "--layers", layers, "--activation", activation,
                    "--steps", String(steps), "--warmup", String(warmup)
                ]
                switch PythonAnchor.run("train_step_numpy.py", arguments: arguments, threads: threads, python: python) {
                case .success(let json):
                    let median = (json["medianSecondsPerStep"] as? Double) ?? .nan
                    let mean = (json["secondsPerStep"] as? Double) ?? .nan
                    numpyVersion = "\(json["numpy"] ?? "?")"
                    if median < numpyBest[threads]?.median ?? .infinity { numpyBest[threads] = (median, mean) }
                case .failure(let error):
                    print("  numpy: \(error)")
                }
            }
        }
        print(
            "GradScope train step: \(layers) \(activation), batch \(batch), \(dtype), GEMM \(GEMM.backendDescription)")
        print(
            "  best of \(rounds) rounds of \(steps) timed steps each (after \(warmup) warm-up steps); figures are medians per step"
        )
        print(
            String(
                format: "  gradscope    %6.2f ms/step (mean %.2f)  %6.1f steps/s", best * 1e3, bestMean * 1e3, 1 / best)
        )
        if let (afterWarmup, afterSteps, peak) = memory {
            print(
                "  memory       RSS \(ResidentMemory.megabytes(afterWarmup)) after warm-up, \(ResidentMemory.megabytes(afterSteps)) after \(steps) steps (growth \(ResidentMemory.megabytes(afterSteps - afterWarmup))), peak \(ResidentMemory.megabytes(peak))"
            )
        }
        for threads in threadCounts {
            guard let n = numpyBest[threads] else { continue }
            print(
                String(
                    format: "  numpy %d thr  %6.2f ms/step (mean %.2f)   gradscope/numpy throughput: %.2f×", threads,
                    n.median * 1e3,
                    n.mean * 1e3, n.median / best) + "  [numpy \(numpyVersion)]")
        }
        // PyTorch CPU (autograd + torch.optim.SGD), when it is installed.
        let torchPython = PythonAnchor.torchAnchorInterpreter(
            requested: self.torchPython, numpyPython: python,
            enabled: !threadCounts.isEmpty)
        torch: for threads in threadCounts {
            guard let torchPython else { break }
            let arguments = [
                "--dtype", dtype, "--batch", String(batch), "--layers", layers, "--activation", activation,
                "--steps", String(steps), "--warmup", String(warmup), "--threads", String(threads)
            ]
            switch PythonAnchor.run(
                "train_step_torch.py", arguments: arguments, threads: threads, python: torchPython,
                environment: PythonAnchor.torchEnvironment)
            {
            case .success(let json) where json["error"] == nil:
                let median = (json["medianSecondsPerStep"] as? Double) ?? .nan
                print(
                    String(
                        format: "  torch %d thr  %6.2f ms/step                gradscope/torch throughput: %.2f×",
                        threads, median * 1e3, median / best)
                        + "  [torch \(json["torch"] ?? "?")]")
            case .success(let json):
                print("  PyTorch: \(json["error"] ?? "unavailable")")
                break torch
            case .failure(let error):
                print("  PyTorch: \(error)")
                break torch
            }
        }
        for threads in threadCounts {
            guard let n = numpyBest[threads] else { continue }
            print(
                String(
                    format: "  throughput against numpy with %d thread(s), GradScope with all: %.2f× (target ≥ 1.5×)",
                    threads, n.median / best))
        }
    }

    func measure<S: TensorScalar>(
        _: S.Type, _ sizes: [Int], _ activation: ActivationKind
    ) throws
        -> (mean: Double, median: Double, memory: (Int, Int, Int)?)
    {
        var model: Sequential<S> = try ArchitectureSpec(
            layers: sizes, activation: activation, initializer: .xavierUniform, seed: 0
        )
        .makeModel(sizes: sizes)
        var rng = PRNG(seed: 1)
        let inputs = Tensor<S>.uniform(shape: [batch, sizes[0]], using: &rng)
        let targets = Targets<S>.classes((0..<batch).map { _ in rng.nextInt(below: sizes.last!) })
        let workspace = TrainingWorkspace(model: model, capacity: batch)
        var optimizer = OptimizerConfiguration(kind: .sgd, learningRate: 0.01).makeOptimizer(for: model)
        let rows = Array(0..<batch)
        var times = [Double]()
        var afterWarmup = 0
        for step in 0..<(warmup + steps) {
            if step == warmup { afterWarmup = ResidentMemory.read()?.current ?? 0 }
            let start = DispatchTime.now().uptimeNanoseconds
            workspace.loadBatch(rows: rows, of: inputs)
            var context = ForwardContext(mode: .training)
            workspace.forward(model, context: &context)
            workspace.backwardAndUpdate(&model, targets: targets, optimizer: &optimizer)
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            if step >= warmup { times.append(elapsed) }
        }
        let memory = ResidentMemory.read().map { (afterWarmup, $0.current, $0.peak) }
        let sorted = times.sorted()
        return (times.reduce(0, +) / Double(times.count), sorted[sorted.count / 2], memory)
    }
}

func parseSizes(_ text: String) throws -> [Int] {
    let sizes = text.split(separator: ",").map { Int($0) }
    guard sizes.count >= 2, sizes.allSatisfy({ ($0 ?? 0) > 0 }) else {
        throw ValidationError("expected sizes such as 784,1000,10, got \(text)")
    }
    return sizes.map { $0! }
}
