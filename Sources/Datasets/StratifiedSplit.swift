/// A seeded stratified train/test split: each class gives the test set a share of its images
/// proportional to its size.
///
/// Algorithm (integer arithmetic and ``SplitMix64`` only, so every platform gives the same split):
/// 1. class c with nᶜ of the N images gets ⌊nᶜ·T/N⌋ test images; the T − Σ⌊nᶜ·T/N⌋ left over go one
///    each to the classes with the largest remainders nᶜ·T mod N, ties to the smaller label
///    (largest-remainder apportionment);
/// 2. for c = 0, 1, …, one generator seeded with `seed` shuffles class c's indices (in file order)
///    by ``Shuffle/shuffle(_:using:)``; the first quota of them go to the test set;
/// 3. both sides are returned in ascending index order.
public enum StratifiedSplit {
    /// The test-set size of each class for `testCount` test images in all.
    public static func quotas(classCounts: [Int], testCount: Int) -> [Int] {
        let total = classCounts.reduce(0, +)
        precondition(total > 0 && (0...total).contains(testCount), "test count \(testCount) must be in 0...\(total)")
        var quotas = classCounts.map { $0 * testCount / total }
        let remainders = classCounts.map { $0 * testCount % total }
        let byRemainder = classCounts.indices.sorted { (remainders[$0], $1) > (remainders[$1], $0) }
        for label in byRemainder.prefix(testCount - quotas.reduce(0, +)) {
            quotas[label] += 1
        }
        return quotas
    }

    /// The indices of the training and test images.
    public static func indices(labels: [Int], classes: Int, testCount: Int, seed: UInt64) -> (train: [Int], test: [Int])
    {
        var byClass = [[Int]](repeating: [], count: classes)
        for (index, label) in labels.enumerated() { byClass[label].append(index) }
        let quotas = quotas(classCounts: byClass.map(\.count), testCount: testCount)
        var generator = SplitMix64(seed: seed)
        var train: [Int] = []
        var test: [Int] = []
        for label in 0..<classes {
            var members = byClass[label]
            Shuffle.shuffle(&members, using: &generator)
            test += members.prefix(quotas[label])
            train += members.dropFirst(quotas[label])
        }
        return (train.sorted(), test.sorted())
    }
}

extension LabeledImages {
    /// Splits these images by ``StratifiedSplit``; the sides are named `name/train` and `name/test`.
    public func stratifiedSplit(testCount: Int, seed: UInt64, attribution: String) -> DatasetSplit {
        let (train, test) = StratifiedSplit.indices(labels: labels, classes: classes, testCount: testCount, seed: seed)
        return DatasetSplit(
            train: subset(train, name: name + "/train"), test: subset(test, name: name + "/test"),
            attribution: attribution)
    }
}
