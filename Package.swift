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
        .library(name: "SMPPServer", targets: ["SMPPServer"]),
        .executable(name: "shortwave", targets: ["shortwave"]),
        .executable(name: "smppcore-bench", targets: ["SMPPCoreBenchmarks"]),
        .executable(name: "gateway-store-bench", targets: ["GatewayStoreBenchmarks"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.34.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
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
        // The SMSC listener: binds, TLS, session timers, quiescing. Generic: a delegate decides.
        .target(
            name: "SMPPServer",
            dependencies: [
                "SMPPSession", "SMPPCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The domain: accounts, messages, validation, ids, group commit, simulator, DLR/MO outbox.
        // No networking, no database driver.
        .target(
            name: "GatewayCore",
            dependencies: [
                "SMPPCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        // MessageStore on an embedded SQLite file (GRDB).
        .target(
            name: "GatewayStorageSQLite",
            dependencies: [
                "GatewayCore", "SMPPCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        // The REST API v2, the webhook sender and the OpenAPI document (Hummingbird 2).
        .target(
            name: "GatewayHTTP",
            dependencies: [
                "GatewayCore", "SMPPCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            // The OpenAPI documents (scripts/openapi/generate.py writes them).
            resources: [.copy("Resources/openapi.json"), .copy("Resources/admin-openapi.json")],
            swiftSettings: swiftSettings
        ),
        // `shortwave smsc-sim`: a standalone SMSC for testing SMPP clients and gateways.
        .target(
            name: "SMSCSimulator",
            dependencies: [
                "GatewayCore", "SMPPServer", "SMPPSession", "SMPPCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The SMPP front end: binds, submits, queries and receipts as PDUs (GatewayCore ↔ SMPPServer).
        .target(
            name: "GatewaySMPP",
            dependencies: [
                "GatewayCore", "SMPPServer", "SMPPSession", "SMPPCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        // The carrier side: connectors (SMPP upstream, the simulator), the carrier router, the
        // connector set and their settings.
        .target(
            name: "GatewayCarriers",
            dependencies: [
                "GatewayCore", "SMPPClient", "SMPPSession", "SMPPCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Configuration and the composition root: services in one ServiceGroup.
        .target(
            name: "GatewayApp",
            dependencies: [
                "GatewayCore", "GatewaySMPP", "GatewayCarriers", "GatewayStorageSQLite", "GatewayHTTP", "SMPPServer", "SMPPClient", "SMPPSession", "SMPPCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        // The storage roles' conformance suites, written once, run by every backend's tests.
        .target(
            name: "GatewayStorageConformance",
            dependencies: ["GatewayCore", "SMPPCore", .product(name: "NIOCore", package: "swift-nio")],
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
                "SMPPCore", "SMPPClient", "SMPPSession", "GatewayApp", "GatewayCore", "SMSCSimulator",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
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
        // What a group commit costs in the SQLite store (a command that prints figures).
        .executableTarget(
            name: "GatewayStoreBenchmarks",
            dependencies: ["GatewayCore", "GatewayStorageSQLite", "SMPPCore", .product(name: "NIOCore", package: "swift-nio")],
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
            name: "GatewayCoreTests",
            dependencies: [
                "GatewayCore", "GatewayStorageConformance", "SMPPCore", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GatewayStorageSQLiteTests",
            dependencies: [
                "GatewayStorageSQLite", "GatewayStorageConformance", "GatewayCore", "SMPPCore", .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GatewayHTTPTests",
            dependencies: [
                "GatewayHTTP", "GatewayCore", "SMPPCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GatewayAppTests",
            dependencies: [
                "GatewayApp", "GatewayCore", "GatewaySMPP", "GatewayCarriers", "GatewayStorageSQLite", "GatewayHTTP", "SMSCSimulator", "SMPPServer",
                "SMPPClient", "SMPPSession", "SMPPCore", "SMPPTesting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SMPPServerTests",
            dependencies: [
                "SMPPServer", "SMPPClient", "SMPPSession", "SMPPCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
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
