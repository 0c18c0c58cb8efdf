// swift-tools-version:6.2
import PackageDescription

/// Settings every target of ours gets: upcoming features, and warnings treated as errors.
let ourSwiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .treatAllWarnings(as: .error),
]

let package = Package(
    name: "Switchboard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "switchboard", targets: ["switchboard"]),
        .library(name: "LeadRouting", targets: ["LeadRouting"]),
        .library(name: "LeadTracking", targets: ["LeadTracking"]),
        .library(name: "ReferenceGeodata", targets: ["ReferenceGeodata"]),
        .library(name: "RoutingFiles", targets: ["RoutingFiles"]),
        .library(name: "SwitchboardTesting", targets: ["SwitchboardTesting"]),
        .library(name: "Storage", targets: ["Storage"]),
        .library(name: "HighLevel", targets: ["HighLevel"]),
        .library(name: "HighLevelSandbox", targets: ["HighLevelSandbox"]),
        .library(name: "Delivery", targets: ["Delivery"]),
        .library(name: "Notifications", targets: ["Notifications"]),
        .library(name: "SwitchboardServer", targets: ["SwitchboardServer"]),
        .library(name: "Rollout", targets: ["Rollout"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.4"),
        .package(url: "https://github.com/swift-server/swift-openapi-async-http-client", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird", from: "2.1.0"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // The pure domain: postal codes, geometry, locations, leads, capacity and the routing policy. No I/O.
        .target(name: "LeadRouting"),
        // The pure model of what happens after delivery: GHL events read from webhook bodies, what counts as
        // working a lead, each attempt's progress and the funnel counts. No I/O.
        .target(name: "LeadTracking"),
        // The reference geodata (US ZCTA and Canadian FSA centroids) shipped as resources.
        .target(
            name: "ReferenceGeodata",
            dependencies: ["LeadRouting"],
            resources: [.copy("Resources")]
        ),
        // The file formats of routing: the locations CSV and the leads CSV.
        .target(
            name: "RoutingFiles",
            dependencies: ["LeadRouting", .product(name: "CSV", package: "CSV.swift")]
        ),
        // The GHL API client: generated from GHL's specs (internal), behind a hand-written API; rate limiting, retries,
        // tokens, webhook signatures.
        .target(
            name: "HighLevel",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIAsyncHTTPClient", package: "swift-openapi-async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            exclude: ["Generated/README.md"]
        ),
        // The GHL twin: a Hummingbird server implementing the generated server protocol with real state, GHL's
        // limits, faults and a request journal.
        .target(
            name: "HighLevelSandbox",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            exclude: ["Generated/README.md"],
            resources: [.copy("Resources/ghl-switchboard.json"), .copy("Resources/ghl-switchboard-v3.json")]
        ),
        // What the service persists, behind one protocol family: SQLite through GRDB (the embedded default) and
        // PostgreSQL through postgres-nio (the scale-out engine).
        .target(
            name: "Storage",
            dependencies: [
                "LeadRouting", "LeadTracking",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Delivery of routed leads into GHL: the retry schedule, failure classes, the delivery steps and worker.
        .target(
            name: "Delivery",
            dependencies: [
                "Storage", "HighLevel", "LeadRouting",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Notification webhooks: lead events sent to endpoint groups (rotation, failover, Standard Webhooks
        // signatures, Slack format) from the durable queue.
        .target(
            name: "Notifications",
            dependencies: [
                "Storage", "Delivery", "LeadRouting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Onboarding locations in bulk: the locations file and template, plan, apply in waves with a journal,
        // validation and quarantine.
        .target(
            name: "Rollout",
            dependencies: [
                "LeadRouting", "RoutingFiles", "HighLevel", "Storage",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The running service: intake, routing worker, admin API, health and metrics, on Hummingbird.
        .target(
            name: "SwitchboardServer",
            dependencies: [
                "LeadRouting", "LeadTracking", "Storage", "HighLevel", "ReferenceGeodata", "Delivery", "Notifications",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Resources/openapi.json")]
        ),
        // The command-line interface: commands that parse arguments and call library code.
        .target(
            name: "SwitchboardCommands",
            dependencies: [
                "LeadRouting", "ReferenceGeodata", "RoutingFiles", "HighLevelSandbox", "Storage", "SwitchboardServer",
                "HighLevel", "Delivery", "Notifications", "Rollout", "LeadTracking",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            // The demo franchise `serve` loads on the embedded default, from any directory.
            resources: [.copy("Resources")]
        ),
        .executableTarget(
            name: "switchboard",
            dependencies: ["SwitchboardCommands", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Fixtures and helpers shared by the tests and the benchmarks.
        .target(name: "SwitchboardTesting", dependencies: ["LeadRouting", "ReferenceGeodata", "Storage"]),

        .testTarget(
            name: "LeadRoutingTests",
            dependencies: [
                "LeadRouting", "SwitchboardTesting", "ReferenceGeodata",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "HighLevelTests",
            dependencies: [
                "HighLevel",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "HighLevelSandboxTests",
            dependencies: [
                "HighLevel", "HighLevelSandbox", "SwitchboardTesting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .testTarget(
            name: "StorageTests",
            dependencies: [
                "Storage", "LeadRouting", "SwitchboardTesting", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .testTarget(
            name: "SwitchboardServerTests",
            dependencies: [
                "SwitchboardServer", "Storage", "LeadRouting", "LeadTracking", "SwitchboardTesting", "HighLevel",
                "HighLevelSandbox", "Notifications", "Delivery",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "DeliveryTests", dependencies: ["Delivery"]),
        .testTarget(name: "LeadTrackingTests", dependencies: ["LeadTracking", "LeadRouting"]),
        .testTarget(
            name: "RolloutTests",
            dependencies: [
                "Rollout", "RoutingFiles", "LeadRouting", "Storage", "HighLevel", "HighLevelSandbox",
                "SwitchboardTesting",
            ]
        ),
        .testTarget(
            name: "NotificationsTests",
            dependencies: [
                "Notifications", "Storage", "LeadRouting", .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(name: "ReferenceGeodataTests", dependencies: ["ReferenceGeodata", "LeadRouting"]),
        .testTarget(name: "RoutingFilesTests", dependencies: ["RoutingFiles", "LeadRouting", "SwitchboardTesting"]),
        .testTarget(
            name: "SwitchboardCommandsTests",
            dependencies: [
                "SwitchboardCommands", "SwitchboardTesting", "LeadRouting", "RoutingFiles", "Storage",
                "SwitchboardServer", "Notifications", "HighLevelSandbox", "LeadTracking",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
    ]
)

for target in package.targets {
    target.swiftSettings = (target.swiftSettings ?? []) + ourSwiftSettings
}
