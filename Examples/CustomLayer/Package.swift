// swift-tools-version:6.0
// A user's package with its own layer and its own differentiable function, each checked by
// GradScope in its tests. See README.md, and GradScopeTesting's "Testing your own layers".
import PackageDescription

let package = Package(
    name: "CustomLayer",
    platforms: [.macOS(.v13)],
    dependencies: [
        // In your own package: .package(url: "https://github.com/<owner>/gradscope", from: "0.1.0")
        .package(name: "GradScope", path: "../.."),
    ],
    targets: [
        .target(
            name: "CustomLayer",
            dependencies: [
                .product(name: "NeuralNet", package: "GradScope"),
                .product(name: "TensorCore", package: "GradScope"),
            ]
        ),
        // The test target depends on GradScopeTesting only (and on what it tests).
        .testTarget(
            name: "CustomLayerTests",
            dependencies: [
                "CustomLayer",
                .product(name: "GradScopeTesting", package: "GradScope"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
