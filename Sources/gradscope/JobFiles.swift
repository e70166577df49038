import Foundation

/// The job files `gradscope plan` writes: one shard command run as a Slurm array, a Kubernetes
/// Indexed Job and an `xargs -P` line, each writing `part-K.json` into the plan's folder.
struct JobFiles {
    /// The shard's command without --shard/--out (they are added per scheduler).
    var command: [String]
    var shards: Int
    var workers: Int
    var directory: String
    var workingDirectory: String
    var shardSeconds: Double

    static func quote(_ s: String) -> String {
        if !s.isEmpty, s.allSatisfy({ $0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0) }) { return s }
        return "'" + s.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    /// The command for shard `$index` (a shell expression) of N.
    func shell(index: String) -> String {
        (command.map(Self.quote) + ["--shard", "\(shards)", "--out", "\"\(directory)/part-\(index).json\""]).joined(
            separator: " ")
    }

    /// Slurm's time limit: twice the estimate, at least 10 minutes, as D-HH:MM:SS.
    var timeLimit: String {
        let seconds = max(600, Int((2 * shardSeconds).rounded(.up)))
        return String(
            format: "%d-%02d:%02d:%02d", seconds / 86400, seconds % 86400 / 3600, seconds % 3600 / 60, seconds % 60)
    }

    /// `sbatch check.sbatch`: an array of N tasks, at most W at a time (`%W`); each task's
    /// index comes from SLURM_ARRAY_TASK_ID. Sites cap arrays at MaxArraySize − 1 (the plan
    /// never asks for more).
    var slurm: String {
        """
        #!/bin/bash
        # A sharded gradient check, written by `gradscope plan`. Submit: sbatch --wait check.sbatch
        # then merge: gradscope merge \(directory)/part-*.json
        #SBATCH --job-name=gradscope-check
        #SBATCH --array=0-\(shards - 1)%\(workers)
        #SBATCH --ntasks=1
        #SBATCH --cpus-per-task=1
        #SBATCH --time=\(timeLimit)
        #SBATCH --output=\(directory)/slurm-%A_%a.out
        #SBATCH --chdir=\(workingDirectory)
        set -eu
        export SLURM_ARRAY_TASK_ID
        exec \(shell(index: "${SLURM_ARRAY_TASK_ID}"))

        """
    }

    /// `kubectl apply -f check-job.yaml`: an Indexed Job with N completions, W in parallel; a
    /// crashing shard is retried alone (`backoffLimitPerIndex`). The image must hold gradscope,
    /// the program and a volume at the plan's folder for the part files.
    var kubernetes: String {
        let script = "cd \(Self.quote(workingDirectory)) && exec " + shell(index: "${JOB_COMPLETION_INDEX}")
        let escaped = script.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return """
            # A sharded gradient check, written by `gradscope plan`. Set the image, mount the plan folder,
            # then: kubectl apply -f check-job.yaml; afterwards: gradscope merge \(directory)/part-*.json
            apiVersion: batch/v1
            kind: Job
            metadata:
              name: gradscope-check
            spec:
              completionMode: Indexed
              completions: \(shards)
              parallelism: \(workers)
              backoffLimitPerIndex: 2
              maxFailedIndexes: \(shards)
              template:
                spec:
                  restartPolicy: Never
                  containers:
                    - name: shard
                      image: "REPLACE-WITH-AN-IMAGE-THAT-HAS-GRADSCOPE-AND-YOUR-PROGRAM"
                      command: ["sh", "-c", "\(escaped)"]
                      volumeMounts:
                        - name: plan
                          mountPath: "\(directory)"
                  volumes:
                    - name: plan
                      persistentVolumeClaim:
                        claimName: gradscope-plan

            """
    }

    /// `sh run-local.sh`: the same shards on this machine, W at a time.
    var local: String {
        """
        #!/bin/sh
        # A sharded gradient check on one machine, written by `gradscope plan`.
        # Runs \(shards) shards, \(workers) at a time, then merges them.
        set -e
        cd \(Self.quote(workingDirectory))
        seq 0 \(shards - 1) | xargs -P \(workers) -I{} env SLURM_ARRAY_TASK_ID={} sh -c \(Self.quote(shell(index: "$SLURM_ARRAY_TASK_ID") + " > /dev/null"))
        exec \(Self.quote(command[0])) merge \(directory)/part-*.json

        """
    }
}
