import Foundation
import NeuralNet
import TensorCore

/// The training loop: seeded shuffling every epoch, one optimizer step per batch, the
/// gradient-flow monitor every ``TrainingConfiguration/monitorEvery`` steps, evaluation on the
/// test split and a checkpoint at the end of every epoch, live warnings from the diagnosis,
/// and a clean stop on a NaN or infinite loss.
///
/// A `Trainer` is a value: copying it copies the model, the optimizer state and the history.
/// ``checkpoint(metadata:)`` captures all of it, and ``init(resuming:model:epochs:)``
/// continues a run bit for bit (same batches, same arithmetic, same history).
public struct Trainer<Scalar: TensorScalar>: Sendable {
    public private(set) var model: Sequential<Scalar>
    public private(set) var optimizer: any Optimizer<Scalar>
    public private(set) var configuration: TrainingConfiguration
    public private(set) var history: TrainingHistory
    /// Epochs finished so far.
    public private(set) var epochsCompleted = 0
    /// Steps (batches) taken so far.
    public private(set) var step = 0
    /// How far an interrupted epoch got (`nil` between epochs).
    public private(set) var epochProgress: EpochProgress?
    /// How the run was set up beyond what the trainer sees (initialisation, input scaling, λ),
    /// for the diagnosis's advice; the optimizer and activation are filled in from the run.
    public var runDescription = RunDescription()
    var described: RunDescription {
        var d = runDescription
        if d.optimizer == nil { d.optimizer = configuration.optimizer }
        if d.l2Penalty == nil { d.l2Penalty = model.regularization.lambda }
        return d
    }
    /// The checkpoint this run was resumed from, and whether this run has written one.
    var resumedFrom: String?
    var wroteCheckpoint = false

    /// A new run of `model` (already initialised) with `configuration`.
    public init(model: Sequential<Scalar>, configuration: TrainingConfiguration) throws(TrainingError) {
        try configuration.validate()
        self.model = model
        self.configuration = configuration
        self.optimizer = configuration.optimizer.makeOptimizer(for: model)
        self.history = TrainingHistory(layers: GradientFlowMonitor<Scalar>.monitoredLayers(of: model))
    }

    /// Continues the run saved in `checkpoint`. `model` must have the checkpoint's architecture
    /// (its parameters are replaced); `epochs`, if given, changes the planned epoch count.
    public init(
        resuming checkpoint: Checkpoint<Scalar>, model: Sequential<Scalar>, epochs: Int? = nil
    ) throws(TrainingError) {
        let header = checkpoint.header
        guard header.blocks == model.parameterBlocks.map({ CheckpointHeader.Block(name: $0.name, shape: $0.shape) })
        else {
            throw .badCheckpoint(
                path: checkpoint.path ?? "checkpoint",
                reason:
                    "its parameter blocks \(header.blocks.map { "\($0.name)\($0.shape)" }) do not match the model's \(model.parameterBlocks.map { "\($0.name)\($0.shape)" })"
            )
        }
        let monitored = GradientFlowMonitor<Scalar>.monitoredLayers(of: model)
        guard header.history.layers == monitored else {
            throw .badCheckpoint(
                path: checkpoint.path ?? "checkpoint",
                reason:
                    "field history.layers \(header.history.layers.map(\.name)) does not match the model's monitored layers \(monitored.map(\.name))"
            )
        }
        var configuration = header.configuration
        if let epochs { configuration.epochs = epochs }
        try self.init(model: model, configuration: configuration)
        self.model.parameters = checkpoint.parameters
        var optimizer = configuration.optimizer.makeOptimizer(for: model)
        guard Set(optimizer.state.slots.keys) == Set(checkpoint.optimizerState.slots.keys) else {
            throw .badCheckpoint(
                path: checkpoint.path ?? "checkpoint",
                reason:
                    "optimizer state \(checkpoint.optimizerState.slots.keys.sorted()) does not fit \(configuration.optimizer.kind.rawValue)"
            )
        }
        optimizer.state = checkpoint.optimizerState
        self.optimizer = optimizer
        self.history = header.history
        self.epochsCompleted = header.epochsCompleted
        self.step = header.step
        self.epochProgress = header.epochProgress
        self.resumedFrom = checkpoint.path
    }

    /// The whole state of the run, for ``Checkpoint/write(to:)``. `metadata` is stored as given
    /// (the command line keeps its model and data flags there).
    public func checkpoint(metadata: [String: String] = [:]) -> Checkpoint<Scalar> {
        var header = CheckpointHeader(
            dtype: Scalar.dtypeName,
            blocks: model.parameterBlocks.map { .init(name: $0.name, shape: $0.shape) },
            configuration: configuration, epochsCompleted: epochsCompleted, step: step,
            history: history, metadata: metadata)
        header.epochProgress = epochProgress
        return Checkpoint(header: header, parameters: model.parameters, optimizerState: optimizer.state)
    }

    /// Trains until ``TrainingConfiguration/epochs`` epochs are complete or a loss is not finite.
    ///
    /// - Parameters:
    ///   - train: the training examples; `test`: evaluated after every epoch (optional).
    ///   - checkpointPath: where to write the checkpoint after every epoch (atomically
    ///     replacing the previous one); on a non-finite loss it is left as it was.
    ///   - metadata: stored in every checkpoint.
    ///   - observe: called with progress, warnings and checkpoints as they happen.
    ///   - shouldStop: asked after every batch; when it says yes, the run checkpoints that
    ///     moment (mid-epoch, resumable) and returns ``StopReason/interrupted(epoch:batch:step:)``.
    /// - Returns: why training stopped, and the diagnosis of the whole run.
    /// - Throws: ``TrainingError/invalidData(_:)`` when the examples do not fit the model,
    ///   ``TrainingError/cannotWrite(path:reason:)`` when a checkpoint cannot be written.
    public mutating func train(
        on train: ExampleSet<Scalar>, test: ExampleSet<Scalar>? = nil,
        checkpointPath: String? = nil, metadata: [String: String] = [:],
        observe: (TrainingEvent) -> Void = { _ in },
        shouldStop: () -> Bool = { false }
    ) throws(TrainingError) -> TrainingOutcome {
        try validate(train)
        if let test { try validate(test) }
        let capacity = Swift.min(configuration.batchSize, train.count)
        let workspace = TrainingWorkspace(model: model, capacity: Swift.max(capacity, 1))
        let monitor = GradientFlowMonitor(model: model)
        let classes = model.outputShape[0]
        let labels = Self.classLabels(train.targets, classes: classes)

        while epochsCompleted < configuration.epochs {
            let epoch = epochsCompleted + 1
            let resumed = epochProgress
            epochProgress = nil
            let started = Date(timeIntervalSinceNow: -(resumed?.seconds ?? 0))
            var shuffle = RunRandomness.generator(seed: configuration.seed, .shuffle, epochsCompleted)
            let order = shuffle.permutation(train.count)
            // A batch larger than the set is the whole set (and never overflows the arithmetic).
            let batchSize = Swift.min(configuration.batchSize, train.count)
            var batchCount = train.count / batchSize + (train.count % batchSize == 0 ? 0 : 1)
            if let cap = configuration.batchesPerEpoch { batchCount = Swift.min(batchCount, cap) }
            var lossSum = resumed?.lossSum ?? 0.0, correct = resumed?.correct ?? 0, seen = resumed?.seen ?? 0

            for b in Swift.min(resumed?.batches ?? 0, batchCount)..<batchCount {
                let rows = Array(order[(b * batchSize)..<Swift.min((b + 1) * batchSize, train.count)])
                workspace.loadBatch(rows: rows, of: train.inputs)
                let targets = train.targets.selecting(rows)
                var context = ForwardContext(
                    mode: .training, rng: RunRandomness.generator(seed: configuration.seed, .dropout, step))
                workspace.forward(model, context: &context)
                // The monitor reads this step's gradients and the weights before the update;
                // other steps can fold the optimizer step into the backward pass (which updates
                // only when the loss is finite). The choice depends on the step number alone.
                let monitored = step % configuration.monitorEvery == 0
                let (loss, _) =
                    monitored
                    ? workspace.backward(model, targets: targets)
                    : workspace.backwardAndUpdate(&model, targets: targets, optimizer: &optimizer)
                guard loss.isFinite else {
                    history.batchLosses.append(loss)
                    let stop = StopReason.nonFiniteLoss(epoch: epoch, batch: b + 1, step: step, loss: loss)
                    var findings = Diagnosis.diagnose(history, stop: stop, run: described)
                    // What happened to this run's checkpoint, said as it is.
                    let checkpoint =
                        keptCheckpoint(checkpointPath) != nil
                        ? "the last good checkpoint was kept"
                        : checkpointPath == nil
                            ? "no checkpoint was being written"
                            : "no checkpoint was written yet (the first epoch of this run did not finish)"
                    for k in findings.indices where findings[k].code == .nonFiniteLoss {
                        findings[k].summary += ", " + checkpoint
                    }
                    for f in findings where !history.warned.contains(f.code) {
                        history.warned.append(f.code); observe(.warning(f))
                    }
                    return TrainingOutcome(
                        stop: stop, findings: findings, checkpointPath: keptCheckpoint(checkpointPath))
                }
                if let labels {
                    correct += LossKernels.correctCount(
                        workspace.output.baseAddress!, rows: rows.count, classes: classes,
                        labels: rows.map { labels[$0] })
                }
                seen += rows.count
                if monitored {
                    let blocks = monitor.weightBlocks
                    if let changes = optimizer.measuredUpdate(&model, along: workspace.gradients, measuring: blocks) {
                        history.samples.append(
                            monitor.measure(
                                blocks.map { changes[$0] ?? WeightChange() }, workspace: workspace,
                                step: step, epoch: epoch, loss: loss))
                    } else {
                        monitor.snapshot(model)
                        optimizer.update(&model, along: workspace.gradients)
                        history.samples.append(
                            monitor.measure(
                                model, workspace: workspace, gradients: workspace.gradients,
                                step: step, epoch: epoch, loss: loss))
                    }
                    if history.samples.count % 25 == 0 { warn(observe) }
                }
                history.batchLosses.append(loss)
                lossSum += loss
                step += 1
                observe(
                    .batch(
                        BatchProgress(
                            epoch: epoch, epochs: configuration.epochs, batch: b + 1, batches: batchCount,
                            step: step, loss: loss, accuracy: labels == nil ? nil : Double(correct) / Double(seen))))
                if b + 1 < batchCount, shouldStop() {
                    epochProgress = EpochProgress(
                        batches: b + 1, lossSum: lossSum, correct: correct, seen: seen,
                        seconds: Date().timeIntervalSince(started))
                    return try interrupt(
                        StopReason.interrupted(epoch: epoch, batch: b + 1, step: step),
                        checkpointPath: checkpointPath, metadata: metadata, observe: observe)
                }
            }

            let evaluation = test.map { evaluate(on: $0) }
            let record = EpochRecord(
                epoch: epoch, steps: step, trainLoss: lossSum / Double(Swift.max(batchCount, 1)),
                trainAccuracy: labels == nil ? nil : Double(correct) / Double(Swift.max(seen, 1)),
                testLoss: evaluation?.loss, testAccuracy: evaluation?.accuracy,
                seconds: Date().timeIntervalSince(started))
            history.epochs.append(record)
            epochsCompleted += 1
            observe(.epoch(record))
            warn(observe)
            if let checkpointPath {
                try checkpoint(metadata: metadata).write(to: checkpointPath)
                wroteCheckpoint = true
                observe(.checkpoint(path: checkpointPath))
            }
            if epochsCompleted < configuration.epochs, shouldStop() {
                return TrainingOutcome(
                    stop: .interrupted(epoch: epoch, batch: batchCount, step: step),
                    findings: Diagnosis.diagnose(history, stop: .completed, run: described),
                    checkpointPath: keptCheckpoint(checkpointPath))
            }
        }
        return TrainingOutcome(
            stop: .completed, findings: Diagnosis.diagnose(history, stop: .completed, run: described),
            checkpointPath: checkpointPath)
    }

    /// Stops mid-epoch: checkpoints this moment and reports why.
    mutating func interrupt(
        _ stop: StopReason, checkpointPath: String?, metadata: [String: String],
        observe: (TrainingEvent) -> Void
    ) throws(TrainingError) -> TrainingOutcome {
        if let checkpointPath {
            try checkpoint(metadata: metadata).write(to: checkpointPath)
            wroteCheckpoint = true
            observe(.checkpoint(path: checkpointPath))
        }
        return TrainingOutcome(
            stop: stop, findings: Diagnosis.diagnose(history, stop: .completed, run: described),
            checkpointPath: keptCheckpoint(checkpointPath))
    }

    /// The checkpoint at `path` when there is one: written by this run, the one it resumed
    /// from, or one already there (the caller keeps other runs' checkpoints out of its folder,
    /// as the CLI's run folders do).
    func keptCheckpoint(_ path: String?) -> String? {
        guard let path else { return nil }
        if wroteCheckpoint { return path }
        if let resumedFrom,
            URL(fileURLWithPath: resumedFrom).standardizedFileURL == URL(fileURLWithPath: path).standardizedFileURL
        {
            return path
        }
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// Reports findings not reported before.
    mutating func warn(_ observe: (TrainingEvent) -> Void) {
        for finding in Diagnosis.diagnose(history, stop: .completed, run: described)
        where !history.warned.contains(finding.code) {
            history.warned.append(finding.code)
            observe(.warning(finding))
        }
    }

    /// Mean data loss and accuracy of the current model on `set`, in evaluation mode.
    public func evaluate(on set: ExampleSet<Scalar>, batchSize: Int = 500) -> (loss: Double, accuracy: Double?) {
        let classes = model.outputShape[0]
        let labels = Self.classLabels(set.targets, classes: classes)
        let workspace = TrainingWorkspace(model: model, capacity: Swift.max(1, Swift.min(batchSize, set.count)))
        var total = 0.0, correct = 0
        var start = 0
        while start < set.count {
            let rows = Array(start..<Swift.min(start + workspace.capacity, set.count))
            workspace.loadBatch(rows: rows, of: set.inputs)
            var context = ForwardContext(mode: .evaluation)
            workspace.forward(model, context: &context)
            total += workspace.loss(model, targets: set.targets.selecting(rows)).dataLoss * Double(rows.count)
            if let labels {
                correct += LossKernels.correctCount(
                    workspace.output.baseAddress!, rows: rows.count, classes: classes,
                    labels: rows.map { labels[$0] })
            }
            start += rows.count
        }
        let n = Double(Swift.max(set.count, 1))
        return (total / n, labels == nil ? nil : Double(correct) / n)
    }

    /// Class labels: the targets themselves, or the argmax of each dense target row.
    static func classLabels(_ targets: Targets<Scalar>, classes: Int) -> [Int]? {
        switch targets {
        case .classes(let labels): return labels
        case .dense(let t):
            guard classes > 1 else { return nil }
            return t.argmax(alongAxis: 1)
        }
    }

    /// Shapes, labels and finiteness of a whole example set (Sequential's own check on the first
    /// example for the shapes, a vectorised scan for NaN and infinity).
    func validate(_ set: ExampleSet<Scalar>) throws(TrainingError) {
        guard set.count > 0 else { throw .invalidData("\(set.name) has no examples") }
        let perExample = set.inputs.count / set.count
        do {
            let first = Tensor(
                shape: [1] + set.inputs.shape.dropFirst(), scalars: Array(set.inputs.scalars.prefix(perExample)))
            try model.validate(inputs: first)
            try model.loss.validate(targets: set.targets, examples: set.count, outputs: model.outputShape[0])
        } catch {
            throw .invalidData("\(set.name): \(error.description)")
        }
        if let bad = set.inputs.withUnsafeBufferPointer({
            ReductionKernels.firstNonFinite($0.baseAddress!, count: $0.count)
        }) {
            throw .invalidData(
                "\(set.name): example \(bad / perExample) has a NaN or infinity at feature \(bad % perExample)")
        }
    }
}
