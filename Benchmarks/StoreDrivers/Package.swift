// swift-tools-version:6.1
// The measurement behind the choice of SQLite driver (issue 4): the gateway's group-commit
// workload through GRDB and through sqlite-nio. A package of its own so that the gateway never
// builds the driver it did not choose.
//
//   cd Benchmarks/StoreDrivers && swift run -c release store-drivers [--seconds S]
import PackageDescription

let package = Package(
    name: "StoreDrivers",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "StoreDrivers",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Sources/StoreDrivers"
        )
    ]
)
