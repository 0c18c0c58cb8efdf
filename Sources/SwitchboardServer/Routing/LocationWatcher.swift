import Delivery
import Logging
import ServiceLifecycle
import Storage

/// Keeps routing in step with the stored locations, whoever changes them: another instance, `switchboard rollout
/// apply`, an import, the API. Polls the store's locations version (a counter every location write bumps) and
/// rebuilds the router's engine when it moved — so a gym activated by another process gets leads within a poll,
/// without a restart. A hint (PostgreSQL's `NOTIFY` from the locations trigger) makes it look at once; the poll
/// stays the truth.
final class LocationWatcher: Service, Sendable {
    private let store: any SwitchboardStore
    private let router: LeadRouter
    private let interval: Duration
    private let hints: WorkSignal
    private let logger: Logger

    init(
        store: any SwitchboardStore,
        router: LeadRouter,
        interval: Duration = .milliseconds(500),
        hints: WorkSignal = WorkSignal(),
        logger: Logger
    ) {
        self.store = store
        self.router = router
        self.interval = interval
        self.hints = hints
        self.logger = logger
    }

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            _ = await cancelWhenGracefulShutdown { [hints, interval] in await hints.wait(timeout: interval) }
            if Task.isCancelled || Task.isShuttingDownGracefully { return }
            do {
                if try await store.locationsVersion() != router.loadedLocationsVersion {
                    try await router.reloadLocations()
                    logger.info("locations changed in the store; routing reloaded them")
                }
            } catch {
                logger.warning("could not check the stored locations; will retry", metadata: ["error": "\(error)"])
            }
        }
    }
}
