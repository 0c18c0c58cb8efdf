public import Delivery
public import Foundation
public import HighLevel
public import Hummingbird
public import LeadRouting
import LeadTracking
public import Logging
import NIOCore
public import Notifications
public import ServiceLifecycle
public import Storage

/// Assembles the service: routes, middleware, the routing worker. Tests call this too.
/// - Parameters:
///   - configuration: Where to listen, the API token, webhook keys, policy.
///   - store: Where everything is persisted.
///   - directory: Postal code centroids.
///   - delivery: How routed leads reach GHL (a client and its settings); `nil`: they are only routed.
///   - notifications: Where lead events are sent (notification webhooks); none by default.
///   - services: Further long-lived parts to run with the server (e.g. an in-process GHL sandbox); they start
///     before the workers and stop after them.
///   - readiness: What `/health/ready` waits for besides the database and the routing worker.
///   - locationHints: Signalled when the locations may have changed elsewhere (e.g. by PostgreSQL's `NOTIFY`), so
///     routing reloads them without waiting for its next poll.
///   - metrics: The metrics registry `/metrics` renders.
///   - now: The clock (injected in tests).
///   - onServerRunning: Called with the bound port once the server listens.
public func buildApplication(
    configuration: ServerConfiguration,
    store: any SwitchboardStore,
    directory: PostalDirectory,
    delivery: DeliverySetup? = nil,
    notifications: NotificationSettings = NotificationSettings(),
    services: [any Service] = [],
    readiness: [ReadinessCheck] = [],
    locationHints: WorkSignal = WorkSignal(),
    metrics: ServiceMetrics = ServiceMetrics(),
    logger: Logger = Logger(label: "switchboard"),
    now: @escaping @Sendable () -> Date = { Date() },
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    let notificationWorker =
        notifications.groups.isEmpty
        ? nil : NotificationWorker(store: store, settings: notifications, logger: logger, now: now)
    let events: any LeadEventOutbox = notificationWorker ?? SilentOutbox()
    let leadDelivery = delivery.map { LeadDelivery(client: $0.client, configuration: $0.configuration) }
    // SLAs need GHL: its API is asked what a location did before a lead is taken from it.
    let slaOn = (configuration.sla.seconds ?? 0) > 0 && leadDelivery != nil
    let deliveryWorker = delivery.map { setup in
        DeliveryWorker(
            store: store,
            delivery: leadDelivery!,
            configuration: setup.configuration,
            logger: logger,
            events: events,
            startsSLA: slaOn,
            now: now
        )
    }
    let router = try await LeadRouter(
        store: store,
        directory: directory,
        policy: configuration.policy,
        metrics: metrics,
        delivers: deliveryWorker != nil,
        onDeliveryQueued: { deliveryWorker?.wake() },
        events: events,
        now: now
    )
    let worker = RoutingWorker(
        store: store,
        router: router,
        metrics: metrics,
        lease: configuration.workerLease,
        pollInterval: configuration.workerPollInterval,
        logger: logger,
        now: now
    )
    let intake = LeadIntake(store: store, worker: worker, metrics: metrics)
    let reconciler = leadDelivery.flatMap { delivery in
        configuration.reconcileInterval.map { interval in
            FollowUpReconciler(
                store: store,
                delivery: delivery,
                rules: configuration.workedRules,
                interval: interval,
                logger: logger,
                now: now
            )
        }
    }
    let slaWorker = leadDelivery.flatMap { delivery in
        slaOn
            ? SLAWorker(
                store: store,
                router: router,
                delivery: delivery,
                policy: configuration.sla,
                rules: configuration.workedRules,
                events: events,
                pollInterval: configuration.workerPollInterval,
                logger: logger,
                now: now
            ) : nil
    }

    let http = Router()
    http.add(middleware: RequestMetricsMiddleware(metrics: metrics))
    http.add(middleware: ProblemMiddleware())
    let operations = OperationsController(
        store: store,
        router: router,
        worker: worker,
        metrics: metrics,
        readinessChecks: readiness,
        now: now
    )
    operations.addRoutes(to: http)
    WebhookController(
        verifier: WebhookVerifier(configuration: configuration.webhookVerification),
        intake: intake,
        tracking: store,
        workedRules: configuration.workedRules,
        delivery: leadDelivery,
        metrics: metrics,
        postalCodeCustomFieldID: configuration.postalCodeCustomFieldID,
        now: now
    )
    .addRoutes(to: http)
    operations.addMetricsRoute(
        to: http.group("metrics").add(middleware: APITokenMiddleware(token: configuration.apiToken))
    )
    let api = http.group("v1").add(middleware: APITokenMiddleware(token: configuration.apiToken))
    LeadsController(intake: intake, store: store, router: router, now: now).addRoutes(to: api)
    DeliveriesController(store: store, worker: deliveryWorker, notifications: notificationWorker, now: now)
        .addRoutes(to: api)
    LocationsController(store: store, router: router, now: now).addRoutes(to: api)
    ReportsController(store: store).addRoutes(to: api)
    operations.addAdminRoutes(to: api)

    let connections = ConnectionLimitHandler.Count(maximum: configuration.maximumConnections)
    let bodyTimeout = TimeAmount.nanoseconds(Int64(configuration.bodyTimeout.seconds * 1e9))
    return Application(
        router: http,
        server: .http1(
            configuration: .init(
                additionalChannelHandlers: [
                    ConnectionLimitHandler(count: connections), OversizeRequestHandler(),
                    BodyTimeoutHandler(timeout: bodyTimeout),
                ],
                idleTimeout: .nanoseconds(Int64(configuration.idleTimeout.seconds * 1e9))
            )
        ),
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port),
            serverName: "switchboard"
        ),
        // A service group stops its services in reverse order, one at a time, and Hummingbird adds the HTTP server
        // last: so the server stops taking requests first, then routing (the producer), delivery, notifications,
        // and what they depend on (e.g. the embedded sandbox) last.
        services: services + (notificationWorker.map { [$0] } ?? [])
            + (delivery.map { [RateBudgetShare(store: store, limiters: $0.client.limiters, logger: logger)] } ?? [])
            + (deliveryWorker.map { [$0] } ?? []) + (slaWorker.map { [$0] } ?? []) + (reconciler.map { [$0] } ?? []) + [
                LocationWatcher(store: store, router: router, logger: logger), worker,
            ],
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
        logger: logger
    )
}

/// What delivery into GHL needs: a client (with its per-resource rate limiters) and the delivery settings.
public struct DeliverySetup: Sendable {
    public var client: HighLevelClient
    public var configuration: DeliveryConfiguration

    public init(client: HighLevelClient, configuration: DeliveryConfiguration = DeliveryConfiguration()) {
        self.client = client
        self.configuration = configuration
    }
}
