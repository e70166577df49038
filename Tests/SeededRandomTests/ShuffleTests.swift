import Testing
@testable import SeededRandom

// Golden values: Vigna's reference splitmix64.c and an independent Python port of SplitMix64, Lemire's
// bounded integers and Fisher–Yates (the same code as in DigitsTests), printed on x86_64 Linux.
@Suite("Seeded shuffling")
struct ShuffleTests {
    @Test func splitMix64MatchesTheReferenceStream() {
        var generator = SplitMix64(seed: 0)
        #expect(
            [generator.next(), generator.next(), generator.next()]
                == [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
    }

    @Test func permutationIsPinned() {
        #expect(Shuffle.permutation(count: 10, seed: 42) == [8, 3, 6, 5, 4, 0, 9, 2, 1, 7])
        #expect(Shuffle.permutation(count: 0, seed: 42) == [])
        #expect(Shuffle.permutation(count: 1, seed: 42) == [0])
    }

    @Test(arguments: [1, 2, 3, 7, 10, 1000])
    func boundedIndexStaysInRange(bound: Int) {
        var generator = SplitMix64(seed: UInt64(bound))
        for _ in 0..<1000 {
            #expect((0..<bound).contains(Shuffle.index(below: bound, using: &generator)))
        }
    }

    @Test func boundedIndexIsRoughlyUniform() {
        var generator = SplitMix64(seed: 7)
        var counts = [Int](repeating: 0, count: 6)
        for _ in 0..<60_000 { counts[Shuffle.index(below: 6, using: &generator)] += 1 }
        // Each count is Binomial(60000, 1/6): mean 10000, standard deviation 91; ±500 is 5.5 σ.
        #expect(counts.allSatisfy { abs($0 - 10_000) < 500 })
    }

    /// A generator whose first low word falls in the rejection zone: 2⁶⁴ mod 3 = 1, so low = 0 must be redrawn.
    struct ScriptedGenerator: RandomNumberGenerator {
        var values: [UInt64]
        mutating func next() -> UInt64 { values.removeFirst() }
    }

    @Test func boundedIndexRejectsTheBiasedZone() {
        var generator = ScriptedGenerator(values: [0, UInt64.max])
        #expect(Shuffle.index(below: 3, using: &generator) == 2)
        #expect(generator.values.isEmpty)
    }
}
