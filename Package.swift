// swift-tools-version:6.0
import PackageDescription

// Targets by layer: the OCI model (pure data + validation), the runtime (lifecycle,
// state, plan building, cgroups, hooks), a C shim that owns everything from clone to
// execve, and the thin `skiff` CLI.
let package = Package(
    name: "skiff",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "skiff", targets: ["skiff"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .target(
            name: "CSkiff",
            cSettings: [.define("_GNU_SOURCE"), .unsafeFlags(["-Wall", "-Werror", "-O2"])],
            linkerSettings: [.linkedLibrary("seccomp")]
        ),
        .target(name: "SkiffOCI"),
        .target(name: "SkiffRuntime", dependencies: ["SkiffOCI", "CSkiff"]),
        .executableTarget(
            name: "skiff",
            dependencies: [
                "SkiffRuntime", "SkiffOCI",
                "CSkiff",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "SkiffTests", dependencies: ["SkiffOCI", "SkiffRuntime"]),
    ],
    swiftLanguageModes: [.v5]
)
