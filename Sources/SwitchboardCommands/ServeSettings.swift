import Configuration
public import Foundation
public import LeadRouting
public import LeadTracking
public import Notifications
public import Storage
import SystemPackage

/// The settings of `switchboard serve`, resolved flags > environment > config file > defaults (swift-configuration).
public struct ServeSettings: Sendable, Equatable {
    public var dataDirectory: String
    /// PostgreSQL (`--database-url`, `DATABASE_URL`): any number of instances share it. `nil`: SQLite in the data
    /// directory.
    public var databaseURL: PostgresURL?
    public var host: String
    public var port: Int
    /// The API token; `nil` means "generate one and print it".
    public var apiToken: String?
    public var ghl: GHLConnection?
    /// The Ed25519 public key (base64) GHL signs webhooks with (`x-ghl-signature`).
    public var webhookPublicKey: String?
    public var postalCodeCustomField: String?
    /// The demo locations file; `nil` for the built-in demo franchise (``DemoFranchise``).
    public var demoLocations: String?
    public var sandboxPort: Int
    public var policy: RoutingPolicy
    public var logLevel: String
    /// How long a shutdown may take: requests and GHL calls in flight get this long to finish, then what is left
    /// is stopped and given back to the queue.
    public var shutdownTimeout: Duration
    /// The pipeline (by name) delivered leads get an opportunity in, and the workflow they are enrolled in.
    public var pipeline: String?
    public var workflow: String?
    /// Where lead events are posted (notification webhooks).
    public var notificationGroups: [EndpointGroup]
    /// How long a location has to work a delivered lead before it is re-routed.
    public var sla = SLAPolicy()
    /// Simulated leads and gym staff in the embedded sandbox (a living demo).
    public var demoTraffic = false
    /// Pipeline stages, by name, that stand for funnel steps.
    public var stageSteps = WorkedRules.demoStageSteps

    /// A real (or standalone sandbox) GHL: then there is no in-process sandbox and no demo data.
    public struct GHLConnection: Sendable, Equatable {
        public var baseURL: URL
        public var token: String
        public var companyID: String
    }

    /// A setting that could not be used, named as the user wrote it.
    public struct Problem: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    /// The keys, as the config file nests them and as the environment spells them (`ghl.baseUrl` is
    /// `GHL_BASE_URL`).
    enum Key {
        static let dataDir = "switchboard.dataDir"
        static let databaseURL = "database.url"
        static let host = "switchboard.host"
        static let port = "switchboard.port"
        static let apiToken = "switchboard.apiToken"
        static let postalCodeField = "switchboard.postalCodeField"
        static let demoLocations = "switchboard.demoLocations"
        static let sandboxPort = "switchboard.sandboxPort"
        static let logLevel = "switchboard.logLevel"
        static let shutdownTimeout = "switchboard.shutdownTimeout"
        static let ghlBaseURL = "ghl.baseUrl"
        static let ghlToken = "ghl.token"
        static let ghlCompanyID = "ghl.companyId"
        static let ghlWebhookPublicKey = "ghl.webhookPublicKey"
        static let defaultRadius = "routing.defaultRadiusMiles"
        static let hotThreshold = "routing.hotScoreThreshold"
        static let stickyDays = "routing.stickyDays"
        static let businessHours = "routing.businessHours"
        static let demoTraffic = "switchboard.demoTraffic"
        static let sla = "routing.sla"
        static let slaClock = "routing.slaClock"
        static let slaMaxReroutes = "routing.slaMaxReroutes"
        static let funnelStages = "funnel.stages"
        static let pipeline = "delivery.pipeline"
        static let workflow = "delivery.workflow"
        /// The names of the endpoint groups the config file defines (besides `default`).
        static let notificationGroups = "notifications.groups"
        /// A group's settings: `notifications.<name>.urls|secret|format|events|timeoutSeconds`. The group of
        /// `--notify-url` is named `default`.
        static func notification(_ group: String, _ field: String) -> String { "notifications.\(group).\(field)" }
    }

    /// Resolves the settings.
    /// - Parameters:
    ///   - flags: Values given on the command line, by key.
    ///   - environment: The process environment.
    ///   - configFile: A JSON config file (`--config`, or `SWITCHBOARD_CONFIG`).
    public static func resolve(
        flags: [String: String],
        environment: [String: String],
        configFile: String?
    ) async throws -> ServeSettings {
        var providers: [any ConfigProvider] = [
            InMemoryProvider(
                name: "flags",
                values: Dictionary(
                    uniqueKeysWithValues: flags.map {
                        (
                            AbsoluteConfigKey(stringLiteral: $0.key),
                            ConfigValue(.string($0.value), isSecret: isSecret($0.key))
                        )
                    }
                )
            ),
            EnvironmentVariablesProvider(
                environmentVariables: environment,
                secretsSpecifier: .dynamic { key, _ in isSecret(key) }
            ),
        ]
        if let configFile = configFile ?? environment["SWITCHBOARD_CONFIG"] {
            guard FileManager.default.fileExists(atPath: configFile) else {
                throw Problem(description: "\(configFile): the config file does not exist")
            }
            do {
                providers.append(try await FileProvider<JSONSnapshot>(filePath: FilePath(configFile)))
            } catch {
                throw Problem(description: "\(configFile): not a JSON config file (\(error))")
            }
        }
        let config = ConfigReader(providers: providers)
        func text(_ key: String) -> String? {
            if let value = config.string(forKey: ConfigKey(key), isSecret: isSecret(key)) {
                return value.isEmpty ? nil : value
            }
            if let number = config.double(forKey: ConfigKey(key)) {
                return number == number.rounded() ? String(Int(number)) : String(number)
            }
            return nil
        }
        func integer(_ key: String, _ range: ClosedRange<Int>, default value: Int) throws -> Int {
            guard let raw = text(key) else { return value }
            guard let number = Int(raw), range.contains(number) else {
                throw Problem(
                    description:
                        "\(describe(key)): '\(raw)' is not a whole number from \(range.lowerBound) to \(range.upperBound)"
                )
            }
            return number
        }

        var policy = RoutingPolicy()
        if let raw = text(Key.defaultRadius) {
            guard let radius = Double(raw), radius > 0 else {
                throw Problem(description: "\(describe(Key.defaultRadius)): '\(raw)' is not a positive number of miles")
            }
            policy.defaultRadiusMiles = radius
        }
        policy.hotScoreThreshold = try integer(Key.hotThreshold, 0...100, default: policy.hotScoreThreshold)
        policy.stickyDays = try integer(Key.stickyDays, 0...3650, default: policy.stickyDays)
        if let raw = text(Key.businessHours) {
            guard let rule = BusinessHoursRule(rawValue: raw) else {
                throw Problem(
                    description:
                        "\(describe(Key.businessHours)): '\(raw)' is not one of ignore, prefer-open, require-open"
                )
            }
            policy.businessHours = rule
        }
        var sla = SLAPolicy()
        if let raw = text(Key.sla) {
            guard let seconds = SLAPolicy.seconds(parsing: raw) else {
                throw Problem(
                    description: "\(describe(Key.sla)): '\(raw)' is not a duration like 90s, 15m or 2h (0 turns it off)"
                )
            }
            sla.seconds = seconds > 0 ? seconds : nil
        }
        if let raw = text(Key.slaClock) {
            guard let clock = SLAPolicy.Clock(rawValue: raw) else {
                throw Problem(description: "\(describe(Key.slaClock)): '\(raw)' is not business or always")
            }
            sla.clock = clock
        }
        sla.maxReroutes = try integer(Key.slaMaxReroutes, 0...10, default: sla.maxReroutes)

        var ghl: GHLConnection?
        let base = text(Key.ghlBaseURL)
        let token = text(Key.ghlToken)
        let company = text(Key.ghlCompanyID)
        if base != nil || token != nil || company != nil {
            guard let base, let token, let company else {
                let missing = [(base, Key.ghlBaseURL), (token, Key.ghlToken), (company, Key.ghlCompanyID)]
                    .filter { $0.0 == nil }.map { describe($0.1) }
                throw Problem(
                    description:
                        "a real GHL needs its base URL, token and company id; missing \(missing.joined(separator: ", "))"
                )
            }
            guard let url = URL(string: base), url.scheme == "https" || url.scheme == "http", url.host != nil else {
                throw Problem(description: "\(describe(Key.ghlBaseURL)): '\(base)' is not an http(s) URL")
            }
            ghl = GHLConnection(baseURL: url, token: token, companyID: company)
        }
        let logLevel = text(Key.logLevel) ?? "info"
        guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(logLevel) else {
            throw Problem(description: "\(describe(Key.logLevel)): '\(logLevel)' is not a log level (trace … critical)")
        }
        func list(_ key: String) -> [String]? {
            if let values = config.stringArray(forKey: ConfigKey(key), isSecret: isSecret(key)) {
                return values.isEmpty ? nil : values
            }
            return text(key).map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        }
        var groups: [EndpointGroup] = []
        let named = list(Key.notificationGroups) ?? []
        for name in (list(Key.notification("default", "urls")) == nil ? [] : ["default"]) + named {
            let urlsKey = Key.notification(name, "urls")
            guard let rawURLs = list(urlsKey), !rawURLs.isEmpty else {
                throw Problem(description: "\(describe(urlsKey)): endpoint group '\(name)' needs at least one URL")
            }
            let urls = try rawURLs.map { raw in
                guard let url = URL(string: raw), url.scheme == "https" || url.scheme == "http", url.host != nil else {
                    throw Problem(description: "\(describe(urlsKey)): '\(raw)' is not an http(s) URL")
                }
                return url
            }
            var format = EndpointGroup.Format.standard
            if let raw = text(Key.notification(name, "format")) {
                guard let chosen = EndpointGroup.Format(rawValue: raw) else {
                    throw Problem(
                        description: "\(describe(Key.notification(name, "format"))): '\(raw)' is not standard or slack"
                    )
                }
                format = chosen
            }
            var events = Set(LeadEvent.allCases)
            if let raw = list(Key.notification(name, "events")) {
                events = try Set(
                    raw.map { value in
                        guard let event = LeadEvent(rawValue: value) else {
                            throw Problem(
                                description: "\(describe(Key.notification(name, "events"))): '\(value)' is not one of "
                                    + LeadEvent.allCases.map(\.rawValue).joined(separator: ", ")
                            )
                        }
                        return event
                    }
                )
            }
            let timeout = try integer(Key.notification(name, "timeoutSeconds"), 1...120, default: 5)
            do {
                groups.append(
                    try EndpointGroup(
                        name: name,
                        urls: urls,
                        secret: text(Key.notification(name, "secret")),
                        format: format,
                        events: events,
                        timeout: .seconds(timeout)
                    )
                )
            } catch {
                throw Problem(description: "\(Key.notificationGroups): \(error)")
            }
        }
        if Set(groups.map(\.name)).count != groups.count {
            throw Problem(description: "\(describe(Key.notificationGroups)): a group is named twice")
        }
        var databaseURL: PostgresURL?
        if let raw = text(Key.databaseURL) {
            do {
                databaseURL = try PostgresURL(parsing: raw)
            } catch {
                throw Problem(description: "\(describe(Key.databaseURL)): \(error)")
            }
        }
        return ServeSettings(
            dataDirectory: text(Key.dataDir) ?? ".",
            databaseURL: databaseURL,
            host: text(Key.host) ?? "127.0.0.1",
            port: try integer(Key.port, 0...65_535, default: 8080),
            apiToken: text(Key.apiToken),
            ghl: ghl,
            webhookPublicKey: text(Key.ghlWebhookPublicKey),
            postalCodeCustomField: text(Key.postalCodeField),
            demoLocations: text(Key.demoLocations),
            sandboxPort: try integer(Key.sandboxPort, 0...65_535, default: 8090),
            policy: policy,
            logLevel: logLevel,
            shutdownTimeout: .seconds(try integer(Key.shutdownTimeout, 2...300, default: 10)),
            pipeline: text(Key.pipeline) ?? (ghl == nil ? "Memberships" : nil),
            workflow: text(Key.workflow) ?? (ghl == nil ? "New lead nurture" : nil),
            notificationGroups: groups,
            sla: sla,
            demoTraffic: try Self.demoTraffic(text(Key.demoTraffic), ghl: ghl),
            stageSteps: try list(Key.funnelStages).map { entries in
                var steps: [String: StageStep] = [:]
                for entry in entries {
                    do {
                        let (name, step) = try StageStep.mapping(parsing: entry)
                        steps[name] = step
                    } catch {
                        throw Problem(description: "\(describe(Key.funnelStages)): \(error)")
                    }
                }
                return steps
            } ?? WorkedRules.demoStageSteps
        )
    }

    /// Whether `--demo-traffic` is on; it needs the embedded sandbox (no GHL credentials).
    private static func demoTraffic(_ text: String?, ghl: GHLConnection?) throws -> Bool {
        guard let text else { return false }
        guard
            let on = ["true": true, "1": true, "yes": true, "false": false, "0": false, "no": false][text.lowercased()]
        else { throw Problem(description: "\(describe(Key.demoTraffic)): '\(text)' is not true or false") }
        if on && ghl != nil {
            throw Problem(
                description: "\(describe(Key.demoTraffic)): simulated traffic runs only on the embedded sandbox; "
                    + "it would create contacts in a real GHL (leave out the GHL credentials, or --demo-traffic)"
            )
        }
        return on
    }

    /// Whether a setting holds a secret (never printed): tokens and signing secrets.
    static func isSecret(_ key: String) -> Bool {
        let lowered = key.lowercased()
        // A database URL may carry a password.
        return lowered.contains("token") || lowered.contains("secret") || key == Key.databaseURL
    }

    /// How a key reads to a user: its config-file path and its environment variable.
    static func describe(_ key: String) -> String {
        "\(key) (\(environmentName(key)))"
    }

    /// `ghl.baseUrl` → `GHL_BASE_URL`.
    static func environmentName(_ key: String) -> String {
        var name = ""
        for character in key {
            if character == "." {
                name += "_"
            } else if character.isUppercase {
                name += "_" + String(character)
            } else {
                name += character.uppercased()
            }
        }
        return name
    }
}
