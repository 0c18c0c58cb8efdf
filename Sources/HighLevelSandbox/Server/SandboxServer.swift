public import Foundation
import HTTPTypes
public import Hummingbird
public import Logging
import OpenAPIHummingbird
import OpenAPIRuntime
import ServiceLifecycle

/// The GHL sandbox: a faithful twin of the part of GHL that Switchboard uses, for demos, tests, benchmarks and
/// rollout rehearsals.
///
/// It serves the operations of `Specs/generated/ghl-switchboard.json` through the code generated from it, with
/// real state, GHL's token scopes, `Version` header, rate limits and error shapes, injectable faults and a journal
/// of every call.
public struct SandboxServer: Sendable {
    /// How the sandbox starts.
    public struct Configuration: Sendable {
        public var host: String
        /// 0 picks a free port (reported through `onServerRunning`).
        public var port: Int
        /// The agency token the sandbox accepts (generated when not given).
        public var agencyToken: String
        /// The agency's company id (generated when not given).
        public var companyID: String
        public var snapshots: [SandboxSnapshot]
        /// How long loading a snapshot into a new sub-account takes; negative means it never finishes.
        public var snapshotLoadDelay: Duration
        /// How long minted location tokens live, in seconds.
        public var locationTokenLifetime: TimeInterval
        /// Calls per interval per resource, the interval in seconds, and calls per day (GHL: 100 / 10 s, 200,000).
        public var rateLimit: Int
        public var rateLimitInterval: TimeInterval
        public var dailyLimit: Int
        public var faults: FaultPlan
        /// Where state is kept across restarts; in memory when `nil`.
        public var dataDirectory: String?
        /// Where webhooks (contact, opportunity, message, appointment events) go.
        public var webhookURLs: [URL]
        /// How long after a workflow enrolment its automated SMS goes out.
        public var workflowMessageDelay: Duration = .seconds(5)

        public init(
            host: String = "127.0.0.1",
            port: Int = 8090,
            agencyToken: String = "sandbox-agency-" + UUID().uuidString.lowercased(),
            companyID: String = "sandbox-company-" + String(UUID().uuidString.prefix(8)).lowercased(),
            snapshots: [SandboxSnapshot] = [.franchiseStandard],
            snapshotLoadDelay: Duration = .seconds(2),
            locationTokenLifetime: TimeInterval = 86_399,
            rateLimit: Int = 100,
            rateLimitInterval: TimeInterval = 10,
            dailyLimit: Int = 200_000,
            faults: FaultPlan = .none,
            dataDirectory: String? = nil,
            webhookURLs: [URL] = []
        ) {
            self.host = host
            self.port = port
            self.agencyToken = agencyToken
            self.companyID = companyID
            self.snapshots = snapshots
            self.snapshotLoadDelay = snapshotLoadDelay
            self.locationTokenLifetime = locationTokenLifetime
            self.rateLimit = rateLimit
            self.rateLimitInterval = rateLimitInterval
            self.dailyLimit = dailyLimit
            self.faults = faults
            self.dataDirectory = dataDirectory
            self.webhookURLs = webhookURLs
        }
    }

    public let configuration: Configuration
    /// Every call answered, for assertions.
    public let journal: SandboxJournal
    /// The fault plan, adjustable while running.
    public let controls: SandboxControls
    /// The webhook sender, with the key it signs with.
    public let webhooks: SandboxWebhooks
    let state: SandboxState
    private let limits: SandboxRateLimits
    private let now: @Sendable () -> Date

    /// - Throws: When the data directory's store cannot be opened.
    public init(configuration: Configuration, now: @escaping @Sendable () -> Date = { Date() }) throws {
        self.configuration = configuration
        self.now = now
        self.journal = SandboxJournal()
        self.webhooks = SandboxWebhooks(urls: configuration.webhookURLs, now: now)
        self.controls = SandboxControls(faults: configuration.faults, now: now)
        self.limits = SandboxRateLimits(
            max: configuration.rateLimit,
            interval: configuration.rateLimitInterval,
            daily: configuration.dailyLimit,
            now: now
        )
        self.state = try SandboxState(
            companyID: configuration.companyID,
            agencyToken: configuration.agencyToken,
            snapshots: configuration.snapshots,
            snapshotLoadDelay: configuration.snapshotLoadDelay,
            locationTokenLifetime: configuration.locationTokenLifetime,
            store: try configuration.dataDirectory.map {
                try SandboxStore(path: URL(fileURLWithPath: $0).appendingPathComponent("ghl-sandbox.sqlite").path)
            },
            now: now
        )
    }

    /// The Hummingbird application serving the sandbox.
    /// - Parameter onServerRunning: Called with the bound port once the server listens.
    public func makeApplication(
        logger: Logger = Logger(label: "switchboard.sandbox"),
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let router = Router()
        var allowedProperties: [SandboxAPIVersion: [String: Set<String>]] = [:]
        for version in SandboxAPIVersion.allCases {
            allowedProperties[version] = try StrictBodyMiddleware.allowedProperties(
                spec: try Self.specification(version)
            )
        }
        try SandboxAPI(
            state: state,
            webhooks: webhooks,
            workflowMessageDelay: configuration.workflowMessageDelay
        ).registerHandlers(
            on: AliasingServerTransport(base: router, aliases: SandboxAPIVersion.v3PathAliases),
            middlewares: [
                JournalMiddleware(journal: journal, now: now),
                ErrorShapeMiddleware(
                    unprocessable: try ErrorShapeMiddleware.operationsDocumenting422(spec: try Self.specification())
                ),
                VersionMiddleware(),
                SandboxAuthMiddleware(state: state),
                SandboxLimitsMiddleware(limits: limits, controls: controls),
                StrictBodyMiddleware(allowedProperties: allowedProperties),
                V3TranslationMiddleware(),
            ]
        )
        let admin = SandboxAdminController(
            state: state,
            journal: journal,
            controls: controls,
            agencyToken: configuration.agencyToken,
            webhooks: webhooks
        )
        admin.addRoutes(to: router.group("_sandbox"))
        SandboxStaffController(state: state, webhooks: webhooks, authorize: admin.authorize)
            .addRoutes(to: router.group("_sandbox"))
        return Application(
            router: router,
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port),
                serverName: "ghl-sandbox"
            ),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }

    /// Runs a sandbox on a free port for the duration of `body`, which gets the sandbox and its base URL.
    public static func withRunning<Result: Sendable>(
        _ configuration: Configuration = Configuration(port: 0),
        now: @escaping @Sendable () -> Date = { Date() },
        _ body: @Sendable (SandboxServer, URL) async throws -> Result
    ) async throws -> Result {
        var configuration = configuration
        configuration.port = 0
        let sandbox = try SandboxServer(configuration: configuration, now: now)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "switchboard.sandbox")
        logger.logLevel = .warning
        let application = try sandbox.makeApplication(logger: logger) { port in continuation.yield(port) }
        let group = ServiceGroup(services: [application], gracefulShutdownSignals: [], logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            let baseURL = URL(string: "http://\(configuration.host):\(port)")!
            let result: Swift.Result<Result, any Error>
            do {
                result = .success(try await body(sandbox, baseURL))
            } catch {
                result = .failure(error)
            }
            // Let in-flight requests finish, then stop.
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return try result.get()
        }
    }

    /// Creates sub-accounts directly (for demos and tests that start from an existing franchise).
    /// - Returns: The new sub-accounts' ids, in order.
    /// - Parameter snapshotID: A snapshot to load into each (it loads after the configured delay).
    public func seed(
        subAccounts: [(name: String, postalCode: String?, timezone: String?)],
        snapshotID: String? = nil
    ) async throws -> [String] {
        var ids: [String] = []
        for account in subAccounts {
            let id = await state.makeID()
            _ = try await state.createLocation(
                SandboxLocation(id: id, name: account.name, postalCode: account.postalCode, timezone: account.timezone),
                snapshotID: snapshotID
            )
            ids.append(id)
        }
        return ids
    }

    /// Issues an OAuth agency token pair (as GHL's OAuth flow would), for tests of token refresh.
    public func issueAgencyTokens() async -> (accessToken: String, refreshToken: String) {
        let pair = await state.issueAgencyTokens()
        return (pair.access, pair.refresh)
    }

    /// Expires every location token now.
    public func expireLocationTokens() async {
        await state.expireLocationTokens()
    }

    /// The contacts of a sub-account (for assertions).
    public func contactCount(locationID: String) async throws -> Int {
        try await state.location(locationID).contacts.count
    }

    /// A contact's tags, whether it is enrolled in any workflow, and its opportunities' statuses (for assertions).
    public func contactState(
        _ contactID: String,
        locationID: String
    ) async throws -> (tags: [String], enrolled: Bool, opportunityStatuses: [String]) {
        let location = try await state.location(locationID)
        guard let contact = location.contacts.first(where: { $0.id == contactID }) else { return ([], false, []) }
        return (
            contact.tags,
            location.enrolments.contains { $0.hasPrefix(contactID + "/") },
            (location.opportunityDetails ?? []).filter { $0.contactID == contactID }.map(\.status)
        )
    }

    /// A living demo franchise (see ``DemoTraffic``): leads arriving in the intake sub-account about every
    /// `leadEvery`, and simulated staff working the leads delivered to the gyms.
    /// - Parameter minute: How long a minute of simulated staff time lasts (tests shorten it).
    public func demoTraffic(
        intakeSubAccountID: String,
        leadEvery: Duration = .seconds(4),
        minute: Duration = .seconds(60),
        tick: Duration = .seconds(1),
        logger: Logger
    ) -> DemoTraffic {
        DemoTraffic(
            staff: SandboxStaff(state: state, webhooks: webhooks),
            state: state,
            webhooks: webhooks,
            intakeSubAccountID: intakeSubAccountID,
            leadEvery: leadEvery,
            minute: minute,
            tick: tick,
            logger: logger
        )
    }

    /// Sets a sub-account's "Allow Duplicate Contact" setting.
    public func setAllowDuplicateContact(_ allow: Bool, locationID: String) async throws {
        _ = try await state.update(locationID) { location throws(SandboxFailure) in
            location.allowDuplicateContact = allow
        }
    }

    /// The id of the sub-account with this exact name, if there is one.
    public func subAccountID(named name: String) async -> String? {
        await state.allLocations().first { $0.name == name }?.id
    }

    /// Mends a snapshot created with `neverLoads`: it loads from now on, and its pushes in progress finish now.
    public func setSnapshotLoads(_ id: String) async {
        await state.mendSnapshot(id)
    }

    /// Which of these sub-accounts are still loading a snapshot (unknown ids are left out): until theirs has
    /// loaded, their pipelines, workflows and fields are missing, as in GHL.
    public func loadingSnapshots(among ids: [String]) async -> [String] {
        let wanted = Set(ids)
        return await state.allLocations().filter { location in
            wanted.contains(location.id) && location.snapshotPush.map { !$0.installed } == true
        }.map(\.id)
    }

    /// The names of all sub-accounts (with repeats, if a name was created twice).
    public func subAccountNames() async -> [String] {
        await state.allLocations().map(\.name)
    }

    /// The number of sub-accounts.
    public func subAccountCount() async -> Int {
        await state.allLocations().count
    }

    /// The sandbox's copy of the bundled GHL spec of one API version.
    static func specification(_ version: SandboxAPIVersion = .v2) throws -> Data {
        let name = version == .v3 ? "ghl-switchboard-v3" : "ghl-switchboard"
        guard let url = Bundle.module.url(forResource: name, withExtension: "json") else {
            throw SandboxFailure(status: 500, message: "the sandbox's copy of the GHL spec is missing")
        }
        return try Data(contentsOf: url)
    }
}
