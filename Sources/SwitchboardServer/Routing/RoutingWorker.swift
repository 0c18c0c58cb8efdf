import Delivery
import Foundation
import Logging
public import ServiceLifecycle
import Storage
import Synchronization

/// Routes every stored lead: woken right after each intake commit, and polling for anything left behind (leads
/// whose routing was interrupted by a crash are claimed again once their lease lapses). Finishes the batch in
/// hand on graceful shutdown.
public final class RoutingWorker: Service, Sendable {
    private let store: any SwitchboardStore
    private let router: LeadRouter
    private let signal = WorkSignal()
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let owner = "router-\(UUID().uuidString.prefix(8))"
    private let running = Atomic<Bool>(false)
    private let metrics: ServiceMetrics
    /// How long a claim holds a job; a worker that dies lets it go after this.
    let lease: Duration
    /// How often the worker looks for jobs when nobody wakes it.
    let pollInterval: Duration
    /// Leads routed per transaction: enough to share the commit, few enough that intake, which needs the same
    /// single writer, never waits long behind routing.
    let batchSize = 32
    /// How long a wake-up waits for more leads before claiming: under a stream of leads each pass then routes a
    /// batch instead of the one or two leads of the latest commit (a pass costs two transactions and two reads
    /// whatever its size). Short enough that a lead is still routed right after it is stored.
    let gatherDelay: Duration

    init(
        store: any SwitchboardStore,
        router: LeadRouter,
        metrics: ServiceMetrics,
        lease: Duration = .seconds(30),
        pollInterval: Duration = .seconds(1),
        gatherDelay: Duration = .milliseconds(5),
        logger: Logger,
        now: @escaping @Sendable () -> Date
    ) {
        self.store = store
        self.router = router
        self.metrics = metrics
        self.lease = lease
        self.pollInterval = pollInterval
        self.gatherDelay = gatherDelay
        self.logger = logger
        self.now = now
    }

    /// Whether the worker's loop is running (for `/health/ready`).
    public var isRunning: Bool { running.load(ordering: .relaxed) }

    /// Says new leads are waiting.
    func wake() { signal.signal() }

    public func run() async throws {
        running.store(true, ordering: .relaxed)
        defer { running.store(false, ordering: .relaxed) }
        logger.info("routing worker started", metadata: ["owner": "\(owner)"])
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await drain()
            } catch {
                logger.warning("routing pass failed; will retry", metadata: ["error": "\(error)"])
            }
            let woken = await cancelWhenGracefulShutdown { [signal, pollInterval] in
                await signal.wait(timeout: pollInterval)
            }
            if woken { try? await Task.sleep(for: gatherDelay) }
        }
        logger.info("routing worker stopped")
    }

    /// Routes jobs until none is due. A short batch means the queue is empty: leads stored meanwhile wake the
    /// worker again, so it does not spend a transaction finding nothing.
    func drain() async throws {
        while !Task.isShuttingDownGracefully {
            let jobs = try await store.claimJobs(
                kind: .route,
                limit: batchSize,
                owner: owner,
                leaseFor: lease,
                now: now()
            )
            if jobs.isEmpty { return }
            let routable = jobs.compactMap { job in
                job.leadID.map { (leadID: $0, job: Optional(JobClaim(id: job.id, owner: owner))) }
            }
            for job in jobs where job.leadID == nil {
                try await store.completeJob(JobClaim(id: job.id, owner: owner), at: now())
            }
            do {
                try await router.route(routable)
            } catch {
                // The leases lapse and the jobs are tried again.
                logger.warning("routing failed", metadata: ["leads": "\(routable.count)", "error": "\(error)"])
            }
            if jobs.count < batchSize { return }
        }
    }
}
