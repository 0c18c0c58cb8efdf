// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "SwitchboardBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Switchboard", path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        .executableTarget(
            name: "RoutingBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "LeadRouting", package: "Switchboard"),
                .product(name: "ReferenceGeodata", package: "Switchboard"),
                .product(name: "SwitchboardTesting", package: "Switchboard"),
            ],
            path: "Benchmarks/RoutingBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // One long scenario against the sandbox with GHL's documented limits: delivery wall time against the
        // rate-limit lower bound. `swift run -c release --package-path Benchmarks DeliveryLoad`
        .executableTarget(
            name: "DeliveryLoad",
            dependencies: [
                .product(name: "LeadRouting", package: "Switchboard"),
                .product(name: "ReferenceGeodata", package: "Switchboard"),
                .product(name: "SwitchboardTesting", package: "Switchboard"),
                .product(name: "Storage", package: "Switchboard"),
                .product(name: "HighLevel", package: "Switchboard"),
                .product(name: "HighLevelSandbox", package: "Switchboard"),
                .product(name: "Delivery", package: "Switchboard"),
                .product(name: "SwitchboardServer", package: "Switchboard"),
            ],
            path: "Benchmarks/DeliveryLoad"
        ),
        // Onboarding 100 locations against the sandbox with GHL's limits: Switchboard's rollout and the seed's
        // scheme, each against the rate-limit lower bound. `swift run -c release --package-path Benchmarks OnboardingLoad`
        .executableTarget(
            name: "OnboardingLoad",
            dependencies: [
                .product(name: "LeadRouting", package: "Switchboard"),
                .product(name: "ReferenceGeodata", package: "Switchboard"),
                .product(name: "SwitchboardTesting", package: "Switchboard"),
                .product(name: "Storage", package: "Switchboard"),
                .product(name: "HighLevel", package: "Switchboard"),
                .product(name: "HighLevelSandbox", package: "Switchboard"),
                .product(name: "Rollout", package: "Switchboard"),
            ],
            path: "Benchmarks/OnboardingLoad"
        ),
        // The funnel report over 1,000,000 leads and 5,000,000 events (SQLite), and event intake against lead
        // intake per request. `swift run -c release --package-path Benchmarks FunnelLoad`
        .executableTarget(
            name: "FunnelLoad",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "LeadRouting", package: "Switchboard"),
                .product(name: "LeadTracking", package: "Switchboard"),
                .product(name: "Storage", package: "Switchboard"),
                .product(name: "SwitchboardServer", package: "Switchboard"),
                .product(name: "SwitchboardTesting", package: "Switchboard"),
            ],
            path: "Benchmarks/FunnelLoad"
        ),
        // Claim throughput on PostgreSQL, 1 instance against 3, no job claimed twice.
        // `swift run -c release --package-path Benchmarks ClaimLoad postgres://…`
        .executableTarget(
            name: "ClaimLoad",
            dependencies: [.product(name: "Storage", package: "Switchboard")],
            path: "Benchmarks/ClaimLoad"
        ),
    ]
)
