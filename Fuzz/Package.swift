// swift-tools-version:6.1
// libFuzzer target over SMPP framing + decoding. Kept out of the main package so that a normal
// build never needs the sanitizer runtime. Build and run with ../scripts/fuzz.
import PackageDescription

/// A path dependency is identified by its directory's name, which is whatever the clone is called.
let root = Context.packageDirectory.split(separator: "/").dropLast().last.map(String.init) ?? "main"

let package = Package(
    name: "ShortwaveFuzz",
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "FuzzSMPPDecoder",
            dependencies: [
                .product(name: "SMPPCore", package: root),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        )
    ]
)
