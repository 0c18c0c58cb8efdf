import Foundation
import HighLevelSandbox
import Notifications
import Storage

/// What `serve` prints once it listens: where things are, and how to try it.
struct ServeBanner {
    let settings: ServeSettings
    let port: Int
    let apiToken: String
    let generatedToken: Bool
    let databasePath: String
    let locationCount: Int
    let sandbox: EmbeddedSandbox?
    /// The sandbox's bound port.
    let sandboxPort: Int

    var text: String {
        let base = "http://\(settings.host):\(port)"
        var lines: [String] = []
        if let sandbox {
            let sandboxBase = "http://\(settings.host):\(sandboxPort)"
            lines += [
                "Switchboard is running with "
                    + (settings.databaseURL == nil ? "the embedded default: SQLite storage" : "PostgreSQL storage")
                    + " and an in-process GHL sandbox",
                "(no real GHL is contacted; give --ghl-base-url, --ghl-token and --ghl-company-id for one).",
                "",
                "  database:    \(databasePath)",
                "  GHL sandbox: \(sandboxBase)  (agency token \(sandbox.server.configuration.agencyToken))",
                sandbox.demoLoaded.map {
                    "  demo data:   loaded \($0) locations from \(settings.demoLocations ?? "the built-in demo franchise"), created in the sandbox as sub-accounts"
                } ?? "  locations:   \(locationCount) (kept from an earlier run)",
            ]
        } else {
            lines += [
                "Switchboard is running against GHL at \(settings.ghl?.baseURL.absoluteString ?? "?").",
                "",
                "  database:    \(databasePath)",
                "  locations:   \(locationCount)",
            ]
        }
        // A token the user chose is never printed (it would land in container and CI logs); a generated one must
        // be, or nobody could use it.
        let shownToken = generatedToken ? apiToken : "$SWITCHBOARD_API_TOKEN"
        lines += [
            "  API:         \(base)/v1   (Authorization: Bearer \(shownToken))"
                + (generatedToken ? "  [generated; set SWITCHBOARD_API_TOKEN to choose]" : "  [the token you gave]"),
            "  webhooks:    POST \(base)/webhooks/ghl",
            "  health:      \(base)/health/ready   metrics: \(base)/metrics (API token)   API description: \(base)/openapi.json",
        ]
        for group in settings.notificationGroups {
            lines.append(
                "  notify:      \(group.name): \(group.urls.count) URL\(group.urls.count == 1 ? "" : "s"), "
                    + "\(group.format.rawValue), \(group.secret == nil ? "unsigned" : "signed"), "
                    + group.events.map(\.rawValue).sorted().joined(separator: " ")
            )
        }
        if let sandbox {
            let sandboxBase = "http://\(settings.host):\(sandboxPort)"
            lines += [
                "",
                "Send a signed sample webhook (a new contact in the sandbox's intake sub-account; the sandbox sends its",
                "signed ContactCreate here):",
                "  curl -s -X POST -H 'Authorization: Bearer \(sandbox.server.configuration.agencyToken)' "
                    + "-H 'Content-Type: application/json' \\",
                "    -d '{\"firstName\":\"Ana\",\"email\":\"ana@example.com\",\"postalCode\":\"78703\"}' \\",
                "    \(sandboxBase)/_sandbox/locations/\(sandbox.intakeSubAccountID)/contacts",
                "See where it went:",
                "  curl -s -H \"Authorization: Bearer \(shownToken)\" '\(base)/v1/leads?limit=1'",
            ]
        }
        lines += [
            "",
            "Press Ctrl-C to stop (work in flight gets \(settings.shutdownTimeout.components.seconds) s, the rest goes back to the queue; twice to exit at once).",
        ]
        return lines.joined(separator: "\n")
    }
}
