public import ArgumentParser
import Foundation
import HighLevelSandbox
import Hummingbird
import LeadRouting
import Logging
import ReferenceGeodata
import RoutingFiles

/// `switchboard sandbox`: run the GHL sandbox on its own, for demos, scripts and rollout rehearsals.
public struct SandboxCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Run the GHL sandbox: a local twin of the GHL API that Switchboard uses.",
        discussion: """
            Serves GHL's sub-account, custom value/field, snapshot, contact, opportunity, workflow and OAuth \
            operations (API version 2021-07-28) with GHL's token scopes, Version header, rate limits \
            (100 calls per 10 s per resource by default) and error shapes. Without --agency-token and \
            --company-id it makes them up and prints them.

            Admin endpoints (agency token required): GET /_sandbox/journal[?operation=ID], \
            GET /_sandbox/journal/peaks[?windowSeconds=10] (the most calls per resource in any window, calls by \
            status), \
            PUT /_sandbox/faults {"errorRate":0.2,"latencyMilliseconds":[0,50],"outageSeconds":30,\
            "throttleSeconds":10}, POST /_sandbox/expire-location-tokens, POST /_sandbox/locations/ID/contacts \
            {"firstName":"Ana","postalCode":"78701"} (creates a contact and sends its signed ContactCreate webhook).

            Example:
              switchboard sandbox --port 8090 --seed examples/franchise-25.csv --error-rate 0.05
            """
    )

    @Option(help: "The port to listen on (0 picks a free one).")
    var port: Int = 8090

    @Option(help: "The address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: ArgumentHelp("The agency token to accept (default: generated and printed).", valueName: "token"))
    var agencyToken: String?

    @Option(help: ArgumentHelp("The agency's company id (default: generated and printed).", valueName: "id"))
    var companyId: String?

    @Option(
        help: ArgumentHelp("A locations CSV whose locations are created as sub-accounts at start.", valueName: "file")
    )
    var seed: String?

    @Option(help: ArgumentHelp("Share of calls answered with a 5xx, 0 to 1.", valueName: "rate"))
    var errorRate: Double = 0

    @Option(help: ArgumentHelp("Latency added to every call, in milliseconds.", valueName: "ms"))
    var latencyMs: Int = 0

    @Option(help: ArgumentHelp("Seconds a snapshot takes to load into a new sub-account.", valueName: "seconds"))
    var snapshotDelay: Double = 2

    @Option(help: ArgumentHelp("Keep the sandbox's sub-accounts in this directory across restarts.", valueName: "dir"))
    var dataDir: String?

    @Option(
        name: .customLong("webhook-url"),
        help: ArgumentHelp("Send signed ContactCreate/ContactUpdate webhooks here (repeatable).", valueName: "url")
    )
    var webhookURLs: [String] = []

    public init() {}

    public func validate() throws {
        guard (0...1).contains(errorRate) else { throw ValidationError("--error-rate must be between 0 and 1.") }
        guard latencyMs >= 0 else { throw ValidationError("--latency-ms cannot be negative.") }
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535.") }
        for url in webhookURLs where URL(string: url)?.scheme.map({ ["http", "https"].contains($0) }) != true {
            throw ValidationError("--webhook-url '\(url)' is not an http(s) URL.")
        }
    }

    public func run() async throws {
        var configuration = SandboxServer.Configuration(
            host: host,
            port: port,
            snapshotLoadDelay: .milliseconds(Int(snapshotDelay * 1000)),
            faults: FaultPlan(errorRate: errorRate, latencyMilliseconds: latencyMs...latencyMs),
            dataDirectory: dataDir,
            webhookURLs: webhookURLs.compactMap(URL.init(string:))
        )
        if let agencyToken { configuration.agencyToken = agencyToken }
        if let companyId { configuration.companyID = companyId }
        if let dataDir { try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true) }
        let sandbox = try SandboxServer(configuration: configuration)

        if let seed {
            let locations = try LocationsFile(contentsOf: seed, directory: try PostalDirectory.reference()).locations
            let ids = try await sandbox.seed(
                subAccounts: locations.map { ($0.name, $0.postalCode?.text, $0.timeZoneIdentifier) }
            )
            Console.line("Seeded \(ids.count) sub-accounts from \(seed).")
        }
        let settings = configuration
        let webhookKey = sandbox.webhooks.publicKeyBase64
        let application = try sandbox.makeApplication { boundPort in
            Console.line(
                """
                GHL sandbox listening on http://\(settings.host):\(boundPort)
                  agency token:  \(settings.agencyToken)
                  company id:    \(settings.companyID)
                  snapshots:     \(settings.snapshots.map { "\($0.id) (\($0.name))" }.joined(separator: ", "))
                  rate limit:    \(settings.rateLimit) calls / \(Int(settings.rateLimitInterval)) s per resource
                  webhooks:      \(settings.webhookURLs.isEmpty ? "none" : settings.webhookURLs.map(\.absoluteString).joined(separator: ", "))
                  webhook key:   \(webhookKey) (Ed25519 public key, base64, for x-ghl-signature)
                  journal:       curl -H 'Authorization: Bearer \(settings.agencyToken)' http://\(settings.host):\(boundPort)/_sandbox/journal
                Press Ctrl-C to stop.
                """
            )
        }
        try await application.runService()
    }
}
