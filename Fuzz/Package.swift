// swift-tools-version:6.0
// libFuzzer targets for GradScope's readers of untrusted input. Built by Fuzz/run with
// `-sanitize=fuzzer,address` on every module (the library code included, so that libFuzzer
// sees its coverage); `-parse-as-library` leaves `main` to libFuzzer. Not part of the main
// package: its unsafe flags would make that unusable as a dependency.
import PackageDescription

let targets = ["idx", "checkpoint", "protocol", "csv"]
let products: [String: [Target.Dependency]] = [
    "idx": [.product(name: "Datasets", package: "gradscope")],
    "checkpoint": [.product(name: "Training", package: "gradscope")],
    "protocol": [.product(name: "Exec", package: "gradscope")],
    "csv": [.product(name: "Datasets", package: "gradscope")],
]

let package = Package(
    name: "GradScopeFuzz",
    // Fuzz/run links .checkout/gradscope to the repository, so the dependency's identity is
    // `gradscope` whatever the checkout's folder is called.
    dependencies: [.package(path: ".checkout/gradscope")],
    targets: [.target(name: "FuzzDriver", path: "Driver")]
        + targets.map { name in
            .executableTarget(name: "fuzz-\(name)", dependencies: products[name]! + ["FuzzDriver"],
                              path: "Targets/\(name)", swiftSettings: [.unsafeFlags(["-parse-as-library"])])
        },
    swiftLanguageModes: [.v6]
)
