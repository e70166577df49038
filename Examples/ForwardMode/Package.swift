// swift-tools-version:6.0
// Checking Swift's experimental forward mode (valueWithDifferential). It works only in modules
// compiled with -enable-experimental-forward-mode-differentiation, which also rejects every
// differentiable function with control flow: hence a package of its own. Run:
//
//   swift test -Xswiftc -Xfrontend -Xswiftc -enable-experimental-forward-mode-differentiation \
//              -Xswiftc -DGRADSCOPE_FORWARD_MODE
//
// Without the flags the tests are skipped (calling forward mode would trap).
import PackageDescription

let package = Package(
    name: "ForwardMode",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "GradScope", path: "../.."),
    ],
    targets: [
        .testTarget(
            name: "ForwardModeTests",
            dependencies: [.product(name: "GradScopeTesting", package: "GradScope")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
