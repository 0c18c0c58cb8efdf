/// The GHL API versions the sandbox answers, chosen per call by the `Version` header: `2021-07-28` (the
/// v2 specs, `apps/*.json`) or `v3` (the specs GHL's current SDKs use, `apps/v3/*-v3.json`).
///
/// The handlers are generated from the v2 document; a v3 call is checked against the v3 document's fields and
/// translated to and from v2 by ``V3TranslationMiddleware``, where the two differ.
enum SandboxAPIVersion: String, Sendable, CaseIterable {
    case v2 = "2021-07-28"
    case v3 = "v3"

    /// The version of the call being answered (set by ``VersionMiddleware``).
    @TaskLocal static var current: SandboxAPIVersion = .v2

    /// The v2 specs version some apps on their own date: conversations and calendars are `2021-04-15`.
    static let v2Dates: [String: SandboxAPIVersion] = ["2021-07-28": .v2, "2021-04-15": .v2, "v3": .v3]

    /// The `Version` the v2 spec declares for an operation (what its generated handler expects).
    static func v2Header(for operationID: String) -> String {
        ["export-messages-by-location"].contains(operationID) ? "2021-04-15" : v2.rawValue
    }

    /// Where the v3 spec moved a v2 path.
    static let v3PathAliases = ["/oauth/locationToken": "/oauth/location-token"]
}
