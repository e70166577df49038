/// What the training loop reports as it goes, for progress bars and logs.
public enum TrainingEvent: Sendable {
    /// A batch finished: its loss and the epoch's running training accuracy.
    case batch(BatchProgress)
    /// An epoch finished (after the test evaluation).
    case epoch(EpochRecord)
    /// A diagnosis rule fired for the first time during the run.
    case warning(TrainingFinding)
    /// A checkpoint was written.
    case checkpoint(path: String)
}

/// Where the loop is within an epoch.
public struct BatchProgress: Sendable, Equatable {
    /// The epoch (from 1) and the total planned.
    public var epoch: Int
    public var epochs: Int
    /// The batch within the epoch (from 1) and the epoch's batch count.
    public var batch: Int
    public var batches: Int
    public var step: Int
    public var loss: Double
    /// Running training accuracy over the epoch so far (`nil` without class targets).
    public var accuracy: Double?
}

/// Why training stopped.
public enum StopReason: Sendable, Codable, Equatable {
    /// Every planned epoch ran.
    case completed
    /// A batch loss was NaN or infinite: training stopped before that batch's update, and
    /// the last checkpoint (the end of the previous epoch) was kept. `batch` counts from 1;
    /// 0 when it is not known (a recorded stream knows the step only).
    case nonFiniteLoss(epoch: Int, batch: Int, step: Int, loss: Double)
    /// Asked to stop (Ctrl-C): training stopped after that batch's update, and a checkpoint of
    /// that moment (mid-epoch when it was) was written.
    case interrupted(epoch: Int, batch: Int, step: Int)

    public var description: String {
        switch self {
        case .completed: return "completed"
        case let .nonFiniteLoss(epoch, batch, step, loss):
            return batch > 0
                ? "stopped: the loss became \(loss) at epoch \(epoch), batch \(batch) (step \(step))"
                : "stopped: the loss became \(loss) at step \(step) (epoch \(epoch))"
        case let .interrupted(epoch, batch, step):
            return "interrupted after epoch \(epoch), batch \(batch) (step \(step))"
        }
    }
}

/// The end of a run: why it stopped and the final diagnosis.
public struct TrainingOutcome: Sendable {
    public var stop: StopReason
    public var findings: [TrainingFinding]
    /// The last checkpoint written or kept, if any.
    public var checkpointPath: String?
}
