import Testing
@testable import Datasets

@Suite("Minibatches")
struct MinibatchTests {
    @Test func coversEveryIndexOnce() {
        var generator = SplitMix64(seed: 3)
        let batches = Array(Minibatches(count: 10, batchSize: 4, shuffledBy: &generator))
        #expect(batches.map(\.count) == [4, 4, 2])
        #expect(batches.flatMap { $0 }.sorted() == Array(0..<10))
    }

    @Test func dropsTheShortBatchWhenAsked() {
        let batches = Array(Minibatches(count: 10, batchSize: 4, dropLast: true))
        #expect(batches == [[0, 1, 2, 3], [4, 5, 6, 7]])
        #expect(Minibatches(count: 10, batchSize: 4, dropLast: true).batchCount == 2)
        #expect(Minibatches(count: 10, batchSize: 4).batchCount == 3)
        #expect(Array(Minibatches(count: 0, batchSize: 4)).isEmpty)
    }

    @Test func epochsDrawSuccessivePermutations() {
        var generator = SplitMix64(seed: 42)
        let first = Minibatches(count: 10, batchSize: 10, shuffledBy: &generator).order
        let second = Minibatches(count: 10, batchSize: 10, shuffledBy: &generator).order
        #expect(first == [8, 3, 6, 5, 4, 0, 9, 2, 1, 7])
        #expect(second != first)
        var again = SplitMix64(seed: 42)
        _ = Shuffle.permutation(count: 10, using: &again)
        #expect(Shuffle.permutation(count: 10, using: &again) == second)
    }
}
