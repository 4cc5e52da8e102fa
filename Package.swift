// swift-tools-version:6.1
import PackageDescription

/// One list of settings for every Swift target (STYLE.md: Package).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "shortwave",
    products: [
        .library(name: "SMPPCore", targets: ["SMPPCore"]),
        .library(name: "SMPPSession", targets: ["SMPPSession"]),
        .library(name: "SMPPClient", targets: ["SMPPClient"]),
        .executable(name: "shortwave", targets: ["shortwave"]),
        .executable(name: "smppcore-bench", targets: ["SMPPCoreBenchmarks"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
    ],
    targets: [
        // The wire protocol: PDUs, TLVs, framing, text codecs, segmentation, receipts. NIOCore only.
        .target(
            name: "SMPPCore",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        // Session rules shared by client and server: states, PDU legality, the window. Pure values.
        .target(
            name: "SMPPSession",
            dependencies: ["SMPPCore", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        // The ESME client library: connections, bind pool, TLS, keep-alive, reconnect, throttling.
        .target(
            name: "SMPPClient",
            dependencies: [
                "SMPPSession", "SMPPCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Test doubles on real sockets: a small fake SMSC that can also misbehave.
        .target(
            name: "SMPPTesting",
            dependencies: [
                "SMPPSession", "SMPPCore", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "shortwave",
            dependencies: [
                "SMPPCore", "SMPPClient", "SMPPSession",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: swiftSettings
        ),
        // Counts malloc calls for the benchmark executable only (it interposes malloc process-wide).
        .target(name: "CAllocationCounter"),
        .executableTarget(
            name: "SMPPCoreBenchmarks",
            dependencies: [
                "SMPPCore",
                "CAllocationCounter",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SMPPCoreTests",
            dependencies: [
                "SMPPCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ],
            // Read through #filePath at run time (the kept fuzz corpus), not bundled.
            exclude: ["FuzzRegressions"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SMPPSessionTests",
            dependencies: [
                "SMPPSession", "SMPPCore", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SMPPClientTests",
            dependencies: [
                "SMPPClient", "SMPPTesting", "SMPPSession", "SMPPCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SMPPTestingTests",
            dependencies: [
                "SMPPTesting", "SMPPSession", "SMPPCore", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
