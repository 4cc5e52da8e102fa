// swift-tools-version:6.1
// libFuzzer target over SMPP framing + decoding. Kept out of the main package so that a normal
// build never needs the sanitizer runtime. Build and run with ../scripts/fuzz.
import PackageDescription

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
                .product(name: "SMPPCore", package: "main"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        )
    ]
)
