// swift-tools-version:6.2
import PackageDescription

/// Development tools kept out of the app build: the OpenAPI generator that produces the committed GHL client and
/// sandbox code (run through `Tools/regenerate-ghl.sh`).
let package = Package(
    name: "SwitchboardTools",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-openapi-generator", exact: "1.14.3")
    ]
)
