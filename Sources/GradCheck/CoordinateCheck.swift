import Foundation

/// The entry-by-entry comparison of full and sample modes.
///
/// Every entry i is compared with central differences D(h) = (f(x + h) − f(x − h))/2h at its
/// nominal step h. The full scheme measures D(h) and D(h/2) and extrapolates (Richardson),
/// re-measuring at h/4 the entries that do not pass. With ``CheckConfiguration/economical``
/// (the default) most entries need only one central difference:
///
/// 1. **Pilot.** Up to ``pilotPerBlock`` entries of each block, spread over it, get the full
///    scheme. Each gives its curvature τ = T/h₂² (T = |D(h/2) − D(h)|/3, the truncation estimate
///    of D(h/2), which is h²|f‴|/24 for a smooth f). A block's curvature is the largest of its
///    pilots' (entries at kinks excluded).
/// 2. **One central difference.** Every other entry is measured at h/2 only: its bound is
///    safety·(τ·h₂² + 2·noise(D(h/2))) + floor — the same form as the Richardson bound, with the
///    block's curvature in place of the entry's own truncation estimate. The entry passes at
///    once when its error is within half that bound (the margin absorbs a curvature below the
///    block's largest) and the bound resolves it.
/// 3. **Second step.** Every other entry — outside that half-bound, unresolved, a perturbation
///    that crossed a kink, a block without a usable pilot — is measured at h as well and goes
///    through the full scheme: Richardson, and h/4 when it does not pass. So no entry fails on
///    one central difference, and a failing entry has the same numbers as without economy.
///
/// On smooth objectives this takes about 2 + 2·(pilots + undecided)/entries evaluations per
/// entry instead of 4.3. The bound recorded for an entry passed at step 2 is the one it passed
/// with, so a block's ``BlockResult/detectableRelativeError`` states the power it really had.
extension CheckRun {
    /// Pilot entries per block.
    static var pilotPerBlock: Int { 8 }

    mutating func checkCoordinates(_ coordinates: [Int]) throws(EvaluationError) {
        let scales = blockScales()
        var results = [EntryResult?](repeating: nil, count: coordinates.count)
        let blockIndex = coordinates.map(blockOf)
        var curvature = [Double?](repeating: nil, count: objective.blocks.count)
        let shard = configuration.shard
        let owned = { (p: Int) in shard?.owns(position: p) ?? true }
        // Every shard measures all the pilots (the curvatures must agree); each reports its own.
        let pilots = configuration.economical ? pilotPositions(blockIndex) : coordinates.indices.filter(owned)
        var done = 0
        for start in stride(from: 0, to: pilots.count, by: configuration.batchSize) {
            let positions = Array(pilots[start..<min(start + configuration.batchSize, pilots.count)])
            try fullScheme(
                positions, coordinates: coordinates, blockIndex: blockIndex, half: nil,
                results: &results, scales: scales, curvature: &curvature)
            done += positions.count
            configuration.progress?(done, coordinates.count)
        }
        if configuration.economical {
            var isPilot = [Bool](repeating: false, count: coordinates.count)
            for p in pilots { isPilot[p] = true }
            let rest = coordinates.indices.filter { !isPilot[$0] && owned($0) }
            for start in stride(from: 0, to: rest.count, by: configuration.batchSize) {
                let positions = Array(rest[start..<min(start + configuration.batchSize, rest.count)])
                try oneDifference(
                    positions, coordinates: coordinates, blockIndex: blockIndex,
                    results: &results, scales: scales, curvature: &curvature)
                done += positions.count
                configuration.progress?(done, coordinates.count)
            }
        }
        report.entries = coordinates.indices.filter(owned).map { results[$0]! }
    }

    /// Up to ``pilotPerBlock`` positions of each block, evenly spread over its entries in the list.
    func pilotPositions(_ blockIndex: [Int]) -> [Int] {
        var byBlock = [[Int]](repeating: [], count: objective.blocks.count)
        for (p, b) in blockIndex.enumerated() { byBlock[b].append(p) }
        var pilots = [Int]()
        for list in byBlock where !list.isEmpty {
            let k = min(Self.pilotPerBlock, list.count)
            for s in 0..<k { pilots.append(list[list.count * s / k]) }
        }
        return pilots.sorted()
    }

    /// Step 2: one central difference at h/2; entries it does not decide go to the full scheme.
    mutating func oneDifference(
        _ positions: [Int], coordinates: [Int], blockIndex: [Int],
        results: inout [EntryResult?], scales: [Double],
        curvature: inout [Double?]
    ) throws(EvaluationError) {
        let u = objective.precision.unitRoundoff
        let steps = try positions.map { p throws(EvaluationError) in try nominalStep(coordinates[p]) }
        var offsets = [Perturbation]()
        offsets.reserveCapacity(2 * positions.count)
        for (p, h) in zip(positions, steps) {
            offsets += [.coordinate(coordinates[p], h / 2), .coordinate(coordinates[p], -h / 2)]
        }
        let samples = try values(offsets)
        var undecided = [Int](), halves = [(Sample, Sample)]()
        for (k, p) in positions.enumerated() {
            let i = coordinates[p], h = steps[k], bi = blockIndex[p]
            let pair = (samples[2 * k], samples[2 * k + 1])
            try requireFinite([pair.0, pair.1], coordinate: i)
            let d2 = difference(i, h / 2, pair.0.value, pair.1.value)
            guard d2.plus > 0, d2.minus > 0 else {
                throw .invalidStep(
                    "step \(h / 2) at entry \(i) is below the resolution of x = \(objective.point[i]) in \(objective.precision.rawValue)"
                )
            }
            let crossed = (pair.0.structure ?? 0) != 0 || (pair.1.structure ?? 0) != 0
            guard let tau = curvature[bi], !crossed else {
                undecided.append(p); halves.append(pair); continue
            }
            let a = gradient[i]
            let truncation = tau * d2.step * d2.step
            let noise = d2.noise(sigma)
            let floor = 8 * u * (abs(a) + scales[bi])
            var entry = EntryResult(
                block: objective.blocks[bi].name, blockIndex: bi, index: i - objective.blocks[bi].offset,
                analytic: a, numeric: d2.value,
                bound: configuration.safetyFactor * (truncation + 2 * noise) + floor,
                verdict: .pass, step: d2.step, truncation: truncation, noise: noise)
            if entry.error <= 0.5 * entry.bound && classify(entry, scale: scales[bi]) == .pass {
                entry.verdict = .pass
                results[p] = entry
            } else {
                undecided.append(p); halves.append(pair)
            }
        }
        if !undecided.isEmpty {
            try fullScheme(
                undecided, coordinates: coordinates, blockIndex: blockIndex, half: halves,
                results: &results, scales: scales, curvature: &curvature)
        }
    }

    /// The full scheme on `positions`: D(h) and D(h/2) (the latter given in `half` when step 2
    /// measured it), Richardson, and h/4 for the entries that do not pass. Pilots (no `half`)
    /// set their block's curvature.
    mutating func fullScheme(
        _ positions: [Int], coordinates: [Int], blockIndex: [Int], half: [(Sample, Sample)]?,
        results: inout [EntryResult?], scales: [Double],
        curvature: inout [Double?]
    ) throws(EvaluationError) {
        let u = objective.precision.unitRoundoff
        let steps = try positions.map { p throws(EvaluationError) in try nominalStep(coordinates[p]) }
        var offsets = [Perturbation]()
        offsets.reserveCapacity(4 * positions.count)
        for (p, h) in zip(positions, steps) {
            let i = coordinates[p]
            offsets += [.coordinate(i, h), .coordinate(i, -h)]
            if half == nil { offsets += [.coordinate(i, h / 2), .coordinate(i, -h / 2)] }
        }
        let measured = try values(offsets)
        var samples = [Sample]()
        samples.reserveCapacity(4 * positions.count)
        for k in positions.indices {
            if let half {
                samples += [measured[2 * k], measured[2 * k + 1], half[k].0, half[k].1]
            } else {
                samples += measured[(4 * k)..<(4 * k + 4)]
            }
        }
        var refine = [(slot: Int, k: Int, i: Int, h: Double)]()
        var pilotCurvature = [(block: Int, slot: Int, tau: Double)]()
        for (k, p) in positions.enumerated() {
            let i = coordinates[p], h = steps[k]
            let s = Array(samples[(4 * k)..<(4 * k + 4)])
            try requireFinite(s, coordinate: i)
            let d1 = difference(i, h, s[0].value, s[1].value)
            let d2 = difference(i, h / 2, s[2].value, s[3].value)
            guard d1.plus > 0, d1.minus > 0, d2.plus > 0, d2.minus > 0 else {
                throw .invalidStep(
                    "step \(h) at entry \(i) is below the resolution of x = \(objective.point[i]) in \(objective.precision.rawValue)"
                )
            }
            let estimate = RichardsonEstimate(coarse: d1, fine: d2, sigma: sigma)
            let bi = blockIndex[p]
            let a = gradient[i]
            let floor = 8 * u * (abs(a) + scales[bi])
            let bound = estimate.bound(safety: configuration.safetyFactor, floor: floor)
            var entry = EntryResult(
                block: objective.blocks[bi].name, blockIndex: bi, index: i - objective.blocks[bi].offset,
                analytic: a, numeric: estimate.estimate, bound: bound,
                verdict: .pass, step: estimate.step,
                truncation: estimate.truncation, noise: estimate.noise)
            entry.verdict = classify(entry, scale: scales[bi])
            let crossedCoarse = s.contains { $0.structure != nil && $0.structure != 0 }
            if entry.verdict != .pass || crossedCoarse {
                refine.append((p, k, i, h))
            }
            if half == nil && !crossedCoarse {
                pilotCurvature.append((bi, p, estimate.truncation / (d2.step * d2.step)))
            }
            results[p] = entry
        }
        if !refine.isEmpty {
            try refineEntries(refine, coarseSamples: samples, results: &results, scales: scales)
        }
        for c in pilotCurvature where results[c.slot]?.verdict != .kink && c.tau.isFinite {
            curvature[c.block] = max(curvature[c.block] ?? 0, c.tau)
        }
    }

    /// Second look at entries that did not pass: central differences at h/4, one-sided
    /// differences for the kink test, and the structure flags.
    mutating func refineEntries(
        _ items: [(slot: Int, k: Int, i: Int, h: Double)], coarseSamples: [Sample],
        results: inout [EntryResult?], scales: [Double]
    ) throws(EvaluationError) {
        var offsets = [Perturbation]()
        for item in items { offsets += [.coordinate(item.i, item.h / 4), .coordinate(item.i, -item.h / 4)] }
        let fine = try values(offsets)
        let u = objective.precision.unitRoundoff
        for (k, item) in items.enumerated() {
            let s = Array(coarseSamples[(4 * item.k)..<(4 * item.k + 4)])
            let f3 = [fine[2 * k], fine[2 * k + 1]]
            try requireFinite(f3, coordinate: item.i)
            let d2 = difference(item.i, item.h / 2, s[2].value, s[3].value)
            let d3 = difference(item.i, item.h / 4, f3[0].value, f3[1].value)
            let crossed = { (samples: [Sample]) in samples.contains { ($0.structure ?? 0) != 0 } }
            let crossedFine = crossed(Array(s[2...3])) || crossed(f3)
            let kinkByStructure = crossedFine
            let kinkByDifferences = OneSidedDifferences.indicateKink(
                coarse: OneSidedDifferences(center: baseValue, d2), fine: OneSidedDifferences(center: baseValue, d3),
                sigma: sigma)
            var entry = results[item.slot]!
            let bi = entry.blockIndex
            let d1 = difference(item.i, item.h, s[0].value, s[1].value)
            let gaps = [d1.value, d2.value, d3.value].map { entry.analytic - $0 }
            let floor = 8 * u * (abs(entry.analytic) + scales[bi])
            let second = RichardsonEstimate(coarse: d2, fine: d3, sigma: sigma)
            var candidate = entry
            candidate.numeric = second.estimate
            candidate.bound = second.bound(safety: configuration.safetyFactor, floor: floor)
            candidate.step = second.step
            candidate.truncation = second.truncation
            candidate.noise = second.noise
            candidate.verdict = classify(candidate, scale: scales[bi])

            if kinkByStructure || kinkByDifferences {
                entry.verdict = .kink
            } else if crossed(Array(s[0...1])) {
                // Only the coarsest step crossed a kink: the finer pair is clean.
                entry = candidate
            } else if entry.verdict == .fail && candidate.verdict == .fail {
                entry.verdict = .fail
                if candidate.bound < entry.bound { entry = candidate }
            } else if candidate.verdict == .pass || entry.verdict == .pass {
                entry = candidate.verdict == .pass ? candidate : entry
            } else {
                // Neither pair decides: keep the tighter bound, as inconclusive.
                entry = candidate.bound < entry.bound ? candidate : entry
                entry.verdict = .inconclusive
            }
            entry.gaps = gaps
            // A gap that shrinks like h² or grows like 1/h is the method's error, not a mistake.
            if entry.verdict == .fail, let law = entry.errorLaw, !law.canFail { entry.verdict = .inconclusive }
            results[item.slot] = entry
        }
    }
}
