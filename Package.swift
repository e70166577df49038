// swift-tools-version:6.0
// GradScope: check hand-written backpropagation, measure how close is close enough,
// and watch gradient flow while training. See README.md.
import PackageDescription

let package = Package(
    name: "GradScope",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "gradscope", targets: ["gradscope"]),
        .library(name: "TensorCore", targets: ["TensorCore"]),
        .library(name: "NeuralNet", targets: ["NeuralNet"]),
        .library(name: "GradCheck", targets: ["GradCheck"]),
        .library(name: "Exec", targets: ["Exec"]),
        .library(name: "Training", targets: ["Training"]),
        .library(name: "Datasets", targets: ["Datasets"]),
        .library(name: "Plotting", targets: ["Plotting"]),
        .library(name: "DifferentiableCheck", targets: ["DifferentiableCheck"]),
        // For test targets: expectGradientsMatch and friends (Swift Testing and XCTest).
        .library(name: "GradScopeTesting", targets: ["GradScopeTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        // `swift package generate-documentation` (DocC); adds no code to any product.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // Register-blocked GEMM micro-kernels (AVX-512, AVX2, NEON, portable), chosen at run time.
        .target(
            name: "CGemmKernels",
            linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux])), .linkedLibrary("m", .when(platforms: [.linux]))]
        ),
        // Vectorised exp, sigmoid, softplus and log-sum-exp for losses and activations.
        .target(name: "CVectorMath"),
        // SplitMix64, Lemire's bounded integers and Fisher–Yates: the seeded randomness that
        // TensorCore and Datasets share (a leaf, so that Datasets stays light).
        .target(name: "SeededRandom"),
        .target(
            name: "TensorCore",
            dependencies: [
                "SeededRandom", "CGemmKernels", "CVectorMath",
                .product(name: "RealModule", package: "swift-numerics"),
            ]
        ),
        .target(name: "NeuralNet", dependencies: ["TensorCore"]),
        .target(name: "GradCheck", dependencies: ["NeuralNet", "TensorCore", "Plotting"]),
        .target(name: "Training", dependencies: ["NeuralNet", "TensorCore", "Datasets"]),
        // Any program's gradient over the gradscope/1 line protocol (child processes, pipes, JSON lines).
        .target(name: "CProcessSpawn"),
        .target(name: "Exec", dependencies: ["GradCheck", "CProcessSpawn"]),
        // zlib from the system (zlib.h in /usr/include on Debian/Ubuntu, in the SDK on macOS).
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(
            name: "Datasets",
            dependencies: ["SeededRandom", "CZlib"],
            resources: [.copy("Resources/digits.csv.gz"), .copy("Resources/DIGITS-LICENSE.md")]
        ),
        .target(name: "Plotting"),
        // Checks the derivatives Swift's compiler computes (`import _Differentiation`).
        .target(name: "DifferentiableCheck", dependencies: ["GradCheck"]),
        .target(name: "GradScopeTesting",
                dependencies: ["DifferentiableCheck", "GradCheck", "NeuralNet", "TensorCore"]),
        .executableTarget(
            name: "gradscope",
            dependencies: [
                "TensorCore", "NeuralNet", "GradCheck", "Exec", "Training", "Datasets", "Plotting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "gradscope-bench",
            dependencies: [
                "TensorCore", "NeuralNet", "GradCheck", "Exec", "Training", "Datasets",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore"], exclude: ["Fixtures"]),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet", "TensorCore"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "NeuralNet", "TensorCore", "Datasets"]),
        .testTarget(name: "GradCheckTests", dependencies: ["GradCheck", "NeuralNet", "TensorCore"]),
        .testTarget(name: "ExecTests", dependencies: ["Exec", "GradCheck"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets"]),
        .testTarget(name: "SeededRandomTests", dependencies: ["SeededRandom"]),
        .testTarget(name: "CLITests", dependencies: ["gradscope", "GradCheck"], exclude: ["Golden"]),
        .testTarget(name: "PlottingTests", dependencies: ["Plotting"], resources: [.copy("Golden")]),
        .testTarget(name: "DifferentiableCheckTests", dependencies: ["DifferentiableCheck", "GradCheck"]),
        .testTarget(name: "GradScopeTestingTests",
                    dependencies: ["GradScopeTesting", "DifferentiableCheck", "GradCheck", "NeuralNet", "TensorCore"],
                    exclude: ["Snapshots"]),
    ],
    swiftLanguageModes: [.v6]
)
