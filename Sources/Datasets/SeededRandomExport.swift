// Shuffling and splitting draw from SeededRandom (SplitMix64, Lemire, Fisher–Yates), re-exported
// so that `import Datasets` keeps providing `SplitMix64` and `Shuffle`.
@_exported import SeededRandom
