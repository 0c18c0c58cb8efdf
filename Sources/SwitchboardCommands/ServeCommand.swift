public import ArgumentParser
import Crypto
import Foundation
import HighLevel
import Hummingbird
import LeadRouting
import Logging
import ReferenceGeodata
import ServiceLifecycle
import Storage
import SwitchboardServer

/// `switchboard serve`: the running service.
public struct ServeCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run Switchboard: take leads in (GHL webhooks, the API), route them, serve the admin API.",
        discussion: """
            Settings come from flags, then environment variables, then a JSON config file (--config), then \
            defaults. Each flag's environment variable is named in its help; in the config file the same \
            settings nest by their dotted name, e.g. {"switchboard": {"port": 8080}, "ghl": {"baseUrl": "…"}}.

            Embedded default: with no GHL credentials, Switchboard stores in DATA_DIR/switchboard.sqlite, starts \
            the GHL sandbox in-process (sub-accounts kept in DATA_DIR/ghl-sandbox.sqlite), and on an empty \
            database loads the demo franchise (--demo-locations) as locations and as sandbox sub-accounts. It \
            prints the URLs, the API token and a curl that sends a signed sample webhook.

            With --ghl-base-url, --ghl-token and --ghl-company-id (a real GHL, or a sandbox started with \
            `switchboard sandbox`) there is no in-process sandbox and no demo data; give GHL's webhook public \
            key with --ghl-webhook-public-key.

            Scale out: with --database-url (DATABASE_URL) every instance shares one PostgreSQL database instead of \
            the SQLite file: run as many `switchboard serve --database-url … --ghl-…` as you need behind a load \
            balancer; each sees every lead, location change and job of the others. The schema is created or \
            brought up to date at start (instances starting together migrate once).

            Endpoints: POST /webhooks/ghl (signed GHL webhooks), POST /v1/leads, GET /v1/leads[/ID], \
            POST /v1/leads/ID/assign, GET|POST|PUT /v1/locations, PATCH /v1/locations/ID, GET /v1/capacity, \
            POST /v1/route/preview (all /v1 need 'Authorization: Bearer TOKEN'), GET /health/live, \
            GET /health/ready, GET /metrics, GET /openapi.json.

            Notification webhooks: lead events go to endpoint groups. --notify-url (repeatable) makes the group \
            'default'; the config file can add more: {"notifications": {"groups": ["ops"], "ops": {"urls": \
            ["https://hooks.slack.com/…"], "format": "slack", "events": ["lead.unroutable", \
            "lead.dead_lettered"]}}}. Each event goes to one URL of each group (rotating), fails over to the next \
            on any non-2xx answer or a timeout, and is retried later (over more than a day) when all fail.
            """
    )

    @Option(help: ArgumentHelp("Where the database lives [SWITCHBOARD_DATA_DIR] (default: .).", valueName: "dir"))
    var dataDir: String?

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("The port to listen on [SWITCHBOARD_PORT] (default: 8080).", valueName: "port"))
    var port: Int?

    @Option(help: ArgumentHelp("The address to listen on [SWITCHBOARD_HOST] (default: 127.0.0.1).", valueName: "host"))
    var host: String?

    @Option(
        help: ArgumentHelp(
            "The bearer token of the /v1 API [SWITCHBOARD_API_TOKEN] (default: generated and printed).",
            valueName: "token"
        )
    )
    var apiToken: String?

    @OptionGroup var ghl: GHLOptions

    @Option(
        help: ArgumentHelp(
            "GHL's Ed25519 webhook public key, base64 [GHL_WEBHOOK_PUBLIC_KEY]; legacy RSA signatures use GHL's published key.",
            valueName: "key"
        )
    )
    var ghlWebhookPublicKey: String?

    @Option(
        help: ArgumentHelp(
            "A GHL custom field id holding the postal code when a contact has none [SWITCHBOARD_POSTAL_CODE_FIELD].",
            valueName: "id"
        )
    )
    var postalCodeField: String?

    @Option(
        help: ArgumentHelp(
            "Demo locations loaded into an empty database on the embedded default [SWITCHBOARD_DEMO_LOCATIONS] (default: the built-in demo franchise, the same as examples/franchise-25.csv).",
            valueName: "file"
        )
    )
    var demoLocations: String?

    @Option(
        help: ArgumentHelp("The embedded sandbox's port [SWITCHBOARD_SANDBOX_PORT] (default: 8090).", valueName: "port")
    )
    var sandboxPort: Int?

    @Option(
        help: ArgumentHelp(
            "Service radius for locations without one, miles [ROUTING_DEFAULT_RADIUS_MILES] (default: 25).",
            valueName: "miles"
        )
    )
    var defaultRadius: Double?

    @Option(
        help: ArgumentHelp(
            "Score at which a lead is hot [ROUTING_HOT_SCORE_THRESHOLD] (default: 80).",
            valueName: "score"
        )
    )
    var hotThreshold: Int?

    @Option(
        help: ArgumentHelp(
            "Days a repeat lead returns to its location [ROUTING_STICKY_DAYS] (default: 90).",
            valueName: "days"
        )
    )
    var stickyDays: Int?

    @Option(
        help: ArgumentHelp(
            "ignore, prefer-open or require-open [ROUTING_BUSINESS_HOURS] (default: ignore).",
            valueName: "rule"
        )
    )
    var businessHours: String?

    @Flag(
        help: ArgumentHelp(
            "A living demo on the embedded sandbox: a lead every few seconds, and simulated staff at each gym who "
                + "work them — some fast, some slowly, some never (so SLAs fire) [SWITCHBOARD_DEMO_TRAFFIC]."
        )
    )
    var demoTraffic = false

    @Option(
        help: ArgumentHelp(
            "Time a gym has to work a delivered lead before it is re-routed: 90s, 15m, 2h; 0 turns it off "
                + "[ROUTING_SLA] (default: 15m).",
            valueName: "duration"
        )
    )
    var sla: String?

    @Option(
        help: ArgumentHelp(
            "business (only the gym's open hours count) or always [ROUTING_SLA_CLOCK] (default: business).",
            valueName: "clock"
        )
    )
    var slaClock: String?

    @Option(
        help: ArgumentHelp(
            "Re-routes per lead before it goes to the review queue [ROUTING_SLA_MAX_REROUTES] (default: 1).",
            valueName: "n"
        )
    )
    var slaMaxReroutes: Int?

    @Option(
        name: .customLong("funnel-stage"),
        help: ArgumentHelp(
            "A pipeline stage that stands for a funnel step, NAME=STEP with STEP booked, showed or won; repeat for "
                + "more [FUNNEL_STAGES, comma-separated] (default: 'Trial booked=booked', 'Joined=won').",
            valueName: "name=step"
        )
    )
    var funnelStages: [String] = []

    @Option(
        help: ArgumentHelp(
            "trace, debug, info, notice, warning, error [SWITCHBOARD_LOG_LEVEL] (default: info).",
            valueName: "level"
        )
    )
    var logLevel: String?

    @Option(
        help: ArgumentHelp(
            "Seconds a shutdown (SIGTERM, Ctrl-C) may take: requests and GHL calls in flight get this long, then the rest goes back to the queue; a second signal exits at once [SWITCHBOARD_SHUTDOWN_TIMEOUT] (default: 10).",
            valueName: "seconds"
        )
    )
    var shutdownTimeout: Int?

    @Option(
        help: ArgumentHelp(
            "Delivered leads get an opportunity in this pipeline [DELIVERY_PIPELINE] (embedded default: Memberships).",
            valueName: "name"
        )
    )
    var pipeline: String?

    @Option(
        help: ArgumentHelp(
            "Delivered leads are enrolled in this workflow [DELIVERY_WORKFLOW] (embedded default: New lead nurture).",
            valueName: "name"
        )
    )
    var workflow: String?

    @Option(
        name: .customLong("notify-url"),
        help: ArgumentHelp(
            "Post lead events (lead.routed, lead.unroutable, lead.delivered, lead.dead_lettered) here; repeat it to "
                + "list the URLs of one failover group, used in rotation [NOTIFICATIONS_DEFAULT_URLS, comma-separated].",
            valueName: "url"
        )
    )
    var notifyURLs: [String] = []

    @Option(
        help: ArgumentHelp(
            "Sign the --notify-url requests the Standard Webhooks way with this secret (whsec_<base64>, or any text) "
                + "[NOTIFICATIONS_DEFAULT_SECRET].",
            valueName: "secret"
        )
    )
    var notifySecret: String?

    @Option(
        help: ArgumentHelp(
            "The --notify-url body: standard (Standard Webhooks JSON) or slack (an incoming-webhook message) "
                + "[NOTIFICATIONS_DEFAULT_FORMAT] (default: standard).",
            valueName: "format"
        )
    )
    var notifyFormat: String?

    @Option(help: ArgumentHelp("A JSON config file [SWITCHBOARD_CONFIG].", valueName: "file"))
    var config: String?

    public init() {}

    /// The flags given, by configuration key.
    var flags: [String: String] {
        var flags: [String: String] = [:]
        let K = ServeSettings.Key.self
        flags[K.dataDir] = dataDir
        flags[K.databaseURL] = database.databaseURL
        flags[K.port] = port.map(String.init)
        flags[K.host] = host
        flags[K.apiToken] = apiToken
        flags.merge(ghl.flags) { given, _ in given }
        flags[K.ghlWebhookPublicKey] = ghlWebhookPublicKey
        flags[K.postalCodeField] = postalCodeField
        flags[K.demoLocations] = demoLocations
        flags[K.sandboxPort] = sandboxPort.map(String.init)
        flags[K.defaultRadius] = defaultRadius.map { String($0) }
        flags[K.hotThreshold] = hotThreshold.map(String.init)
        flags[K.stickyDays] = stickyDays.map(String.init)
        flags[K.businessHours] = businessHours
        flags[K.sla] = sla
        if demoTraffic { flags[K.demoTraffic] = "true" }
        flags[K.slaClock] = slaClock
        flags[K.slaMaxReroutes] = slaMaxReroutes.map(String.init)
        if !funnelStages.isEmpty { flags[K.funnelStages] = funnelStages.joined(separator: ",") }
        flags[K.logLevel] = logLevel
        flags[K.shutdownTimeout] = shutdownTimeout.map(String.init)
        flags[K.pipeline] = pipeline
        flags[K.workflow] = workflow
        if !notifyURLs.isEmpty { flags[K.notification("default", "urls")] = notifyURLs.joined(separator: ",") }
        flags[K.notification("default", "secret")] = notifySecret
        flags[K.notification("default", "format")] = notifyFormat
        return flags
    }

    public func run() async throws {
        let settings: ServeSettings
        do {
            settings = try await ServeSettings.resolve(
                flags: flags,
                environment: ProcessInfo.processInfo.environment,
                configFile: config
            )
        } catch let problem as ServeSettings.Problem {
            throw ValidationError(problem.description)
        }
        let runtime = try await ServiceRuntime.make(settings: settings) { banner in Console.line(banner) }
        try await runtime.run()
    }
}
