public import ArgumentParser
import Foundation
import HighLevel
import HighLevelSandbox
import LeadRouting
import Logging
import ReferenceGeodata
import Rollout
import RoutingFiles
import ServiceLifecycle
import Storage

/// `switchboard rollout`: onboard new locations in waves — plan, apply, status, retry.
public struct RolloutCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "rollout",
        abstract: "Onboard new locations into GHL in waves: plan, apply, status, retry.",
        discussion: """
            Reads a locations file (the CSV of `switchboard route` with onboarding columns — address, city, state, \
            country, phone, email, website, snapshot — or the same as YAML) and a location template (YAML with \
            {{location.field}} placeholders; see examples/location-template.yml). Everything is checked before any \
            call: errors name the file, line and field.

            Per location, apply creates the sub-account with the base snapshot, waits for the snapshot to load, \
            sets the time zone, creates the custom fields, sets the custom values (business hours among them), \
            adds the location to routing as onboarding, then validates it (routing, capacity, automations, \
            reporting): pass → active, fail → quarantined. Every step is journaled in DATA_DIR/switchboard.sqlite: \
            an apply stopped at any point (Ctrl-C, a crash, kill -9) continues where it stopped and never creates \
            a second sub-account.

            Without --ghl-base-url/--ghl-token/--ghl-company-id, the embedded GHL sandbox of the data directory is \
            used (the one `switchboard serve` runs), so a rollout can be rehearsed.
            """,
        subcommands: [Plan.self, Apply.self, Status.self, Retry.self]
    )

    public init() {}

    /// The inputs and the GHL connection every rollout command shares.
    struct Inputs: ParsableArguments {
        @Option(help: ArgumentHelp("The locations to onboard (.csv, or .yml/.yaml).", valueName: "file"))
        var locations: String

        @Option(help: ArgumentHelp("The location template (YAML).", valueName: "file"))
        var template: String

        @Option(help: ArgumentHelp("Where the database lives [SWITCHBOARD_DATA_DIR] (default: .).", valueName: "dir"))
        var dataDir: String?

        @OptionGroup var database: DatabaseOptions

        @OptionGroup var ghl: GHLOptions

        @Option(
            help: ArgumentHelp(
                "Embedded sandbox only: the live locations loaded into an empty database, as `serve` does "
                    + "[SWITCHBOARD_DEMO_LOCATIONS] (default: the built-in demo franchise, the same as examples/franchise-25.csv).",
                valueName: "file"
            )
        )
        var demoLocations: String?

        @Flag(help: "Print JSON instead of text.")
        var json = false

        /// The settings, resolved as `serve` resolves them.
        func settings() async throws -> ServeSettings {
            var flags: [String: String] = [ServeSettings.Key.sandboxPort: "0"]
            flags[ServeSettings.Key.dataDir] = dataDir
            flags[ServeSettings.Key.databaseURL] = database.databaseURL
            flags.merge(ghl.flags) { given, _ in given }
            flags[ServeSettings.Key.demoLocations] = demoLocations
            do {
                return try await ServeSettings.resolve(
                    flags: flags,
                    environment: ProcessInfo.processInfo.environment,
                    configFile: nil
                )
            } catch let problem as ServeSettings.Problem {
                throw ValidationError(problem.description)
            }
        }

        /// Reads and renders the inputs. - Throws: a message naming the file, line and field.
        func specs(directory: PostalDirectory) throws -> [OnboardingSpec] {
            do {
                let file = try OnboardingFile(contentsOf: locations, directory: directory)
                let template = try LocationTemplate(contentsOf: template)
                return try file.locations.map { try template.render(for: $0, file: file.file) }
            } catch {
                throw CommandFailure("\(error)")
            }
        }

        /// Runs a command that changes things: one at a time per data directory (the lock), with live progress,
        /// and the report printed and written next to the database.
        func change(
            options: RolloutOptions,
            _ body: @escaping @Sendable (RolloutRunner, [OnboardingSpec]) async throws -> RolloutReport
        ) async throws {
            let settings = try await settings()
            try FileManager.default.createDirectory(atPath: settings.dataDirectory, withIntermediateDirectories: true)
            let display = RolloutDisplay(json: json)
            let report = try await withRunner(options: options, progress: display.show) { runner, specs, opening in
                let report = try await opening.exclusively("rollout", dataDirectory: settings.dataDirectory) {
                    try await body(runner, specs)
                }
                guard let report else {
                    throw CommandFailure(
                        "another rollout is running on \(opening.description); wait for it, or stop it first"
                    )
                }
                return report
            }
            try RolloutCommand.write(report, to: settings.dataDirectory, json: json)
        }

        /// Runs `body` with a runner on the store of the data directory and GHL (or the embedded sandbox).
        func withRunner<T: Sendable>(
            options: RolloutOptions = RolloutOptions(),
            progress: @escaping @Sendable (RolloutProgress) -> Void = { _ in },
            _ body: @Sendable (RolloutRunner, [OnboardingSpec], StoreOpening) async throws -> T
        ) async throws -> T {
            let settings = try await settings()
            let directory = try PostalDirectory.reference()
            let specs = try specs(directory: directory)
            var logger = Logger(label: "switchboard.rollout")
            logger.logLevel = .critical
            let opening = try StoreOpening(settings: settings, logger: logger)
            return try await opening.whileOpen {
                try await withRunner(
                    settings: settings,
                    opening: opening,
                    specs: specs,
                    directory: directory,
                    options: options,
                    progress: progress,
                    logger: logger,
                    body
                )
            }
        }

        private func withRunner<T: Sendable>(
            settings: ServeSettings,
            opening: StoreOpening,
            specs: [OnboardingSpec],
            directory: PostalDirectory,
            options: RolloutOptions,
            progress: @escaping @Sendable (RolloutProgress) -> Void,
            logger: Logger,
            _ body: @Sendable (RolloutRunner, [OnboardingSpec], StoreOpening) async throws -> T
        ) async throws -> T {
            let store = opening.store
            var settings = settings
            if settings.ghl == nil, let running = await SandboxHandoff.running(in: settings.dataDirectory),
                let url = URL(string: running.url)
            {
                // A `serve` on this data directory runs the embedded sandbox: work on that one, the sub-accounts
                // it delivers into, not on a second copy of its file.
                settings.ghl = ServeSettings.GHLConnection(
                    baseURL: url,
                    token: running.agencyToken,
                    companyID: running.companyId
                )
            }
            if let ghl = settings.ghl {
                let client = HighLevelClient(
                    configuration: .init(
                        baseURL: ghl.baseURL,
                        companyID: ghl.companyID,
                        credentials: .privateIntegration(token: ghl.token)
                    ),
                    logger: logger
                )
                let runner = RolloutRunner(
                    client: client,
                    store: store,
                    directory: directory,
                    options: options,
                    progress: progress
                )
                return try await body(runner, specs, opening)
            }
            let sandbox = try await EmbeddedSandbox.start(
                settings: settings,
                opening: opening,
                directory: directory,
                logger: logger
            )
            let client = HighLevelClient(
                configuration: .init(
                    baseURL: sandbox.baseURL,
                    companyID: sandbox.server.configuration.companyID,
                    credentials: .privateIntegration(token: sandbox.server.configuration.agencyToken)
                ),
                logger: logger
            )
            let group = ServiceGroup(services: [sandbox.application], gracefulShutdownSignals: [], logger: logger)
            return try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                _ = await sandbox.portBox.bound()
                let runner = RolloutRunner(
                    client: client,
                    store: store,
                    directory: directory,
                    options: options,
                    progress: progress
                )
                do {
                    let result = try await body(runner, specs, opening)
                    await group.triggerGracefulShutdown()
                    try await tasks.waitForAll()
                    return result
                } catch {
                    await group.triggerGracefulShutdown()
                    tasks.cancelAll()
                    throw error
                }
            }
        }
    }

    /// `switchboard rollout plan`
    public struct Plan: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Show what apply would do per location (live locations show no change); changes nothing."
        )
        @OptionGroup var inputs: Inputs
        public init() {}

        public func run() async throws {
            let json = inputs.json
            try await inputs.withRunner { runner, specs, _ in
                let plan = try await runner.plan(specs)
                Console.line(json ? try RolloutCommand.json(plan) : plan.text)
            }
        }
    }

    /// Wave sizes and the gate.
    struct WaveOptions: ParsableArguments {
        @Option(help: "Locations in the pilot wave.")
        var pilotSize = 10
        @Option(help: "Locations in each later wave.")
        var waveSize = 15
        @Option(help: "The share (0–1) of a wave that must validate before the next starts.")
        var threshold = 1.0
        @Flag(help: "Start the next wave even if the previous one is below the threshold.")
        var force = false
        @Option(help: "Seconds a snapshot may take to load before the location is quarantined.")
        var snapshotTimeout = 600

        var options: RolloutOptions {
            RolloutOptions(
                pilotSize: pilotSize,
                waveSize: waveSize,
                threshold: threshold,
                force: force,
                snapshotTimeout: .seconds(snapshotTimeout)
            )
        }

        func validate() throws {
            guard pilotSize >= 1, waveSize >= 1 else { throw ValidationError("wave sizes must be at least 1.") }
            guard (0...1).contains(threshold) else { throw ValidationError("--threshold must be from 0 to 1.") }
            guard snapshotTimeout >= 1 else { throw ValidationError("--snapshot-timeout must be at least 1.") }
        }
    }

    /// `switchboard rollout apply`
    public struct Apply: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Onboard the next wave (or resume an interrupted one); writes rollout-report.json and .md."
        )
        @OptionGroup var inputs: Inputs
        @OptionGroup var waves: WaveOptions
        @Option(help: "pilot (the first wave), next (the next gated wave) or all (every wave, each gated).")
        var wave: String = "pilot"
        public init() {}

        public func validate() throws {
            guard WaveSelection(rawValue: wave) != nil else {
                throw ValidationError("--wave '\(wave)' is not pilot, next or all.")
            }
        }

        public func run() async throws {
            let selection = WaveSelection(rawValue: wave) ?? .pilot
            try await inputs.change(options: waves.options) { runner, specs in
                do {
                    return try await runner.apply(specs, wave: selection)
                } catch let gate as RolloutRunner.GateError {
                    throw CommandFailure(gate.description)
                }
            }
        }
    }

    /// `switchboard rollout status`
    public struct Status: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Show every location's state: active, in progress, quarantined (with why), not started."
        )
        @OptionGroup var inputs: Inputs
        public init() {}

        public func run() async throws {
            let json = inputs.json
            try await inputs.withRunner { runner, specs, _ in
                let report = try await runner.report(specs)
                Console.line(json ? try RolloutCommand.json(report) : report.text)
            }
        }
    }

    /// `switchboard rollout retry --quarantined`
    public struct Retry: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Run the quarantined locations again from the step or check that failed."
        )
        @OptionGroup var inputs: Inputs
        @Flag(help: "Retry the quarantined locations (required: says what is retried).")
        var quarantined = false
        @Option(help: "Seconds a snapshot may take to load before the location is quarantined again.")
        var snapshotTimeout = 600
        public init() {}

        public func validate() throws {
            guard quarantined else { throw ValidationError("say what to retry: --quarantined.") }
            guard snapshotTimeout >= 1 else { throw ValidationError("--snapshot-timeout must be at least 1.") }
        }

        public func run() async throws {
            try await inputs.change(options: RolloutOptions(snapshotTimeout: .seconds(snapshotTimeout))) {
                runner,
                specs in
                try await runner.retryQuarantined(specs)
            }
        }
    }

    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Prints the report and writes it as JSON and Markdown next to the database.
    static func write(_ report: RolloutReport, to directory: String, json: Bool) throws {
        let base = URL(fileURLWithPath: directory)
        try Data(try Self.json(report).utf8).write(to: base.appendingPathComponent("rollout-report.json"))
        try Data(report.markdown.utf8).write(to: base.appendingPathComponent("rollout-report.md"))
        Console.line(json ? try Self.json(report) : report.text)
        Console.line("Report written to \(base.appendingPathComponent("rollout-report.md").path) (and .json).")
    }
}
