import Crypto
import Delivery
import Foundation
import HighLevel
import HighLevelSandbox
import Hummingbird
import LeadRouting
import LeadTracking
import Logging
import Notifications
import ReferenceGeodata
import RoutingFiles
import ServiceLifecycle
import Storage
import SwitchboardServer
import UnixSignals

/// The service as `serve` runs it: the store in the data directory, and on the embedded default an in-process
/// GHL sandbox with the demo franchise.
public struct ServiceRuntime: Sendable {
    /// The name of the sandbox sub-account that stands for the agency's lead intake.
    static let intakeSubAccountName = "Lead Intake (agency)"

    private let group: ServiceGroup
    private let logger: Logger

    /// Resolves the store and prepares the service group: the store first (PostgreSQL's pool runs before anything
    /// queries it and stops last), then the service itself, built once the store is ready. `onReady` gets the
    /// banner once the server listens.
    public static func make(
        settings: ServeSettings,
        onReady: @escaping @Sendable (String) -> Void
    ) async throws -> ServiceRuntime {
        var logger = Logger(label: "switchboard")
        logger.logLevel = Logger.Level(rawValue: settings.logLevel) ?? .info
        try FileManager.default.createDirectory(atPath: settings.dataDirectory, withIntermediateDirectories: true)
        let opening = try StoreOpening(settings: settings, logger: logger)
        let service = DeferredService { [logger] in
            if let postgres = opening.postgres {
                try await postgres.waitUntilReachable()
                try await postgres.migrate()
            }
            return try await Self.buildService(settings: settings, opening: opening, logger: logger, onReady: onReady)
        }
        var groupConfiguration = ServiceGroupConfiguration(
            services: (opening.postgres.map { [ServiceGroupConfiguration.ServiceConfiguration(service: $0)] } ?? [])
                + [.init(service: service)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        groupConfiguration.maximumGracefulShutdownDuration = settings.shutdownTimeout - .seconds(1)
        return ServiceRuntime(group: ServiceGroup(configuration: groupConfiguration), logger: logger)
    }

    /// Builds the service on a ready store: the embedded sandbox (on the embedded default), delivery, the
    /// application.
    private static func buildService(
        settings: ServeSettings,
        opening: StoreOpening,
        logger: Logger,
        onReady: @escaping @Sendable (String) -> Void
    ) async throws -> any Service {
        let store = opening.store
        let databasePath = opening.description
        let directory = try PostalDirectory.reference()
        let apiToken = settings.apiToken ?? Self.generatedToken()

        var configuration = ServerConfiguration(
            host: settings.host,
            port: settings.port,
            apiToken: apiToken,
            postalCodeCustomFieldID: settings.postalCodeCustomField,
            policy: settings.policy
        )
        configuration.sla = settings.sla
        configuration.workedRules.stageSteps = settings.stageSteps
        configuration.reconcileInterval = .seconds(600)
        // Room for the connection cap, with descriptors to spare for the database, GHL calls and the sandbox.
        let descriptors = DescriptorLimit.raise()
        configuration.maximumConnections = min(configuration.maximumConnections, max(64, descriptors - 256))
        var services: [any Service] = []
        let locationHints = WorkSignal()
        if let postgres = opening.postgres {
            services.append(
                PostgresListener(store: postgres, channel: "switchboard_locations", logger: logger) {
                    locationHints.signal()
                }
            )
        }
        var embedded: EmbeddedSandbox?
        var deliveryClient: HighLevelClient?
        if settings.ghl == nil {
            let sandbox = try await EmbeddedSandbox.start(
                settings: settings,
                opening: opening,
                directory: directory,
                advertise: true,
                logger: logger
            )
            configuration.webhookVerification.ed25519PublicKey = sandbox.server.webhooks.signingKey.publicKey
            services.append(sandbox.application)
            if settings.demoTraffic {
                services.append(
                    sandbox.server.demoTraffic(intakeSubAccountID: sandbox.intakeSubAccountID, logger: logger)
                )
            }
            embedded = sandbox
            deliveryClient = HighLevelClient(
                configuration: .init(
                    baseURL: sandbox.baseURL,
                    companyID: sandbox.server.configuration.companyID,
                    credentials: .privateIntegration(token: sandbox.server.configuration.agencyToken)
                ),
                logger: logger
            )
        } else if let ghl = settings.ghl {
            deliveryClient = HighLevelClient(
                configuration: .init(
                    baseURL: ghl.baseURL,
                    companyID: ghl.companyID,
                    credentials: .privateIntegration(token: ghl.token)
                ),
                logger: logger
            )
        }
        if settings.ghl != nil, let key = settings.webhookPublicKey {
            guard let raw = Data(base64Encoded: key),
                let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: raw)
            else {
                throw ServeSettings.Problem(
                    description: "ghl.webhookPublicKey (GHL_WEBHOOK_PUBLIC_KEY): not a base64 Ed25519 public key"
                )
            }
            configuration.webhookVerification.ed25519PublicKey = publicKey
        }
        let sandbox = embedded
        var readiness: [ReadinessCheck] = []
        if let sandbox {
            // The first leads must be delivered like the thousandth: ready once every active location's sub-account
            // has loaded its snapshot (its pipeline, workflow and fields exist).
            readiness.append(
                ReadinessCheck(name: "ghlSandbox") {
                    let ids = ((try? await store.allLocations()) ?? []).filter { $0.location.status == .active }
                        .compactMap(\.ghlLocationID)
                    let loading = await sandbox.server.loadingSnapshots(among: ids)
                    return loading.isEmpty
                        ? nil : "\(loading.count) of \(ids.count) sub-accounts are still loading their snapshot"
                }
            )
        }
        // The shutdown budget: the workers' jobs in hand get most of it, and the group cancels whatever is left
        // just before it runs out.
        let drainTimeout = max(settings.shutdownTimeout - .seconds(3), .seconds(1))
        let application = try await buildApplication(
            configuration: configuration,
            store: store,
            directory: directory,
            delivery: deliveryClient.map {
                DeliverySetup(
                    client: $0,
                    configuration: DeliveryConfiguration(
                        pipelineName: settings.pipeline,
                        workflowName: settings.workflow,
                        drainTimeout: drainTimeout
                    )
                )
            },
            notifications: NotificationSettings(groups: settings.notificationGroups),
            services: services,
            readiness: readiness,
            locationHints: locationHints,
            logger: logger,
            onServerRunning: { port in
                sandbox?.server.webhooks.setURLs([URL(string: "http://\(settings.host):\(port)/webhooks/ghl")!])
                let locations = (try? await store.allLocations().count) ?? 0
                let sandboxPort = await sandbox?.portBox.bound() ?? settings.sandboxPort
                onReady(
                    ServeBanner(
                        settings: settings,
                        port: port,
                        apiToken: apiToken,
                        generatedToken: settings.apiToken == nil,
                        databasePath: databasePath,
                        locationCount: locations,
                        sandbox: sandbox,
                        sandboxPort: sandboxPort
                    ).text
                )
            }
        )
        return application
    }

    /// Runs until SIGINT/SIGTERM, then shuts down within the shutdown timeout: the server stops taking requests,
    /// the workers stop claiming, the work in hand finishes or goes back to the queue. A second signal exits at
    /// once.
    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { [logger] in
                var signals = 0
                for await signal in await UnixSignalsSequence(trapping: .sigterm, .sigint) {
                    signals += 1
                    if signals == 2 {
                        logger.notice(
                            "second \(signal): exiting now; jobs still claimed are taken again when their leases lapse"
                        )
                        exit(130)
                    }
                }
            }
            tasks.addTask { try await group.run() }
            try await tasks.next()
            tasks.cancelAll()
        }
    }

    /// Stops (as a signal would).
    public func shutDown() async {
        await group.triggerGracefulShutdown()
    }

    static func generatedToken() -> String {
        "sb_" + (0..<24).map { _ in String(UInt8.random(in: 0...255), radix: 16).leftPadded() }.joined()
    }
}

extension String {
    fileprivate func leftPadded() -> String { count == 1 ? "0" + self : self }
}
