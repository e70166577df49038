import Foundation

/// One share of a check that runs as N shards (`gradscope check --shard K/N`), to be merged by
/// ``ShardMerge``.
///
/// Partition: every shard computes the same list of entries (the full point, or the same seeded
/// stratified sample) and takes the positions p with p mod N = K. The list is in block order,
/// so each shard gets every N-th entry of every block (stratified over blocks). Everything an
/// entry's result depends on is computed identically by every shard: the noise level and the
/// point's value (measured from the same seeded evaluations, or read from a plan), and, in the
/// economical scheme, the blocks' curvatures (every shard measures all the pilot entries). So
/// the merged entries are the unsharded run's, bit for bit, for a deterministic objective.
public struct Shard: Sendable, Hashable, Codable {
    /// K, from 0.
    public var index: Int
    /// N.
    public var count: Int

    public init(index: Int, count: Int) {
        precondition(count >= 1 && index >= 0 && index < count, "Shard: index \(index) of \(count)")
        self.index = index; self.count = count
    }

    public func owns(position: Int) -> Bool { position % count == index }
}

/// Noise figures measured once (by `gradscope plan`) for every shard to use, so that shards of
/// a noisy objective agree on the error model.
public struct PlannedNoise: Sendable, Hashable, Codable {
    public var sigma: Double
    public var source: String
    /// The value at the point that the kink test takes as the centre.
    public var baseValue: Double
    /// The spread of repeated evaluations at the point.
    public var spread: Double

    public init(sigma: Double, source: String, baseValue: Double, spread: Double) {
        self.sigma = sigma; self.source = source; self.baseValue = baseValue; self.spread = spread
    }
}

/// What a merge needs beyond a shard's entries: the objective's blocks and the facts the
/// diagnosis reads (the checked entries' parameter values, the example count, the L2 term, the
/// known mistakes whose gradient the analytic one reproduces), and the repeat measurements.
public struct ShardContext: Sendable, Hashable, Codable {
    public struct Block: Sendable, Hashable, Codable {
        public var name: String
        public var shape: [Int]
        public var offset: Int
        public var role: String?
    }
    public struct Regularization: Sendable, Hashable, Codable {
        public var lambda: Double
        public var examples: Int
        public var coveredBlocks: [Int]
    }
    public struct Hypothesis: Sendable, Hashable, Codable {
        public var code: CheckFinding.Code
        public var message: String
    }

    public var shard: Shard
    public var blocks: [Block]
    public var pointCount: Int
    /// The parameter value of each reported entry, in entry order.
    public var entryValues: [Double]
    public var exampleCount: Int?
    public var regularization: Regularization?
    public var hypotheses: [Hypothesis]
    public var baseValue: Double
    public var repeatSpread: Double
    public var noisy: Bool
    public var nondeterministic: Bool
    /// FNV-1a over the point, the blocks, the precision and the check's settings: shards of one
    /// check have the same fingerprint.
    public var fingerprint: String
}

/// FNV-1a, 64 bits, for fingerprints (not for security).
struct Fingerprint {
    private(set) var state: UInt64 = 0xcbf2_9ce4_8422_2325
    mutating func add(_ bytes: some Sequence<UInt8>) {
        for b in bytes { state = (state ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
    }
    mutating func add(_ x: UInt64) { withUnsafeBytes(of: x.littleEndian) { add($0) } }
    mutating func add(_ s: String) { add(Array(s.utf8)); add(UInt64(0xFF)) }
    var hex: String { String(format: "%016llx", state) }
}

extension CheckRun {
    /// The fingerprint of this check: point, blocks, precision and every setting an entry's
    /// result depends on.
    func fingerprint() -> String {
        var f = Fingerprint()
        f.add("gradscope-shard/1")
        for x in objective.point { f.add(x.bitPattern) }
        for b in objective.blocks { f.add(b.name); for d in b.shape { f.add(UInt64(d)) } }
        f.add(objective.precision.rawValue)
        f.add(configuration.seed)
        f.add(String(describing: configuration.mode))
        f.add(String(describing: configuration.step))
        f.add(configuration.safetyFactor.bitPattern)
        f.add(configuration.resolution.bitPattern)
        f.add(configuration.economical ? "economical" : "two-steps")
        return f.hex
    }

    /// The context a merge needs, for a sharded run.
    func shardContext(_ shard: Shard) -> ShardContext {
        var hypotheses = [ShardContext.Hypothesis]()
        if let diagnosable = objective as? any DiagnosableObjective, !gradient.isEmpty {
            for h in diagnosable.hypotheses() where CheckDiagnosis.matches(gradient, h.gradient) {
                hypotheses.append(.init(code: h.code, message: h.message))
            }
        }
        let regularization = (objective as? any DiagnosableObjective)?.regularization.map {
            ShardContext.Regularization(lambda: $0.lambda, examples: $0.examples, coveredBlocks: $0.coveredBlocks)
        }
        return ShardContext(
            shard: shard,
            blocks: objective.blocks.map {
                .init(name: $0.name, shape: $0.shape, offset: $0.offset, role: $0.role?.rawValue)
            },
            pointCount: objective.point.count,
            entryValues: report.entries.map { objective.point[objective.blocks[$0.blockIndex].offset + $0.index] },
            exampleCount: objective.exampleCount, regularization: regularization, hypotheses: hypotheses,
            baseValue: baseValue, repeatSpread: repeatSpread, noisy: noisy, nondeterministic: nondeterministic,
            fingerprint: fingerprint())
    }
}
