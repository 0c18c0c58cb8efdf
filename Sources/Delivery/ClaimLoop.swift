public import Foundation
public import Logging
import ServiceLifecycle
public import Storage
import Synchronization

/// The loop of a queue worker: claims due jobs of one kind under a lease — as many as there are free places
/// (`concurrency` minus the jobs in hand) — runs each in its own task, and sleeps until woken (``WorkSignal``) or
/// the poll interval passes. On graceful shutdown it stops claiming at once, lets the jobs in hand finish for at
/// most `drainTimeout`, then cancels what is left and gives back every claim it still holds, so another worker
/// (or the next start) takes those jobs at once instead of waiting for their leases to lapse.
public struct ClaimLoop: Sendable {
    public var store: any SwitchboardStore
    public var kind: Job.Kind
    /// The worker's name on its claims.
    public var owner: String
    public var concurrency: Int
    public var lease: Duration
    public var pollInterval: Duration
    public var signal: WorkSignal
    /// How long the jobs in hand may run on after graceful shutdown begins.
    public var drainTimeout: Duration
    public var logger: Logger
    public var now: @Sendable () -> Date

    public init(
        store: any SwitchboardStore,
        kind: Job.Kind,
        owner: String,
        concurrency: Int,
        lease: Duration,
        pollInterval: Duration,
        signal: WorkSignal,
        drainTimeout: Duration = .seconds(7),
        logger: Logger,
        now: @escaping @Sendable () -> Date
    ) {
        self.drainTimeout = drainTimeout
        self.store = store
        self.kind = kind
        self.owner = owner
        self.concurrency = concurrency
        self.lease = lease
        self.pollInterval = pollInterval
        self.signal = signal
        self.logger = logger
        self.now = now
    }

    /// Runs until shutdown, handing each claimed job to `process`.
    public func run(_ process: @escaping @Sendable (Job) async -> Void) async {
        let drainTimeout = drainTimeout
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await claimAndWork(process) }
            // The watchdog: from the start of graceful shutdown, the jobs in hand get `drainTimeout`.
            group.addTask {
                guard (try? await gracefulShutdown()) != nil else { return }
                try? await Task.sleep(for: drainTimeout)
            }
            // Whichever ends first — the work (drained) or the watchdog (deadline) — the other is cancelled.
            await group.next()
            group.cancelAll()
        }
        await giveBackClaims()
    }

    /// Claims and works until graceful shutdown, then waits for the jobs in hand.
    private func claimAndWork(_ process: @escaping @Sendable (Job) async -> Void) async {
        let inFlight = InFlight()
        await withDiscardingTaskGroup { group in
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                let free = concurrency - inFlight.count.load(ordering: .relaxed)
                var claimed: [Job] = []
                if free > 0 {
                    do {
                        claimed = try await store.claimJobs(
                            kind: kind,
                            limit: free,
                            owner: owner,
                            leaseFor: lease,
                            now: now()
                        )
                    } catch {
                        logger.warning(
                            "claiming jobs failed",
                            metadata: ["kind": "\(kind.rawValue)", "error": "\(error)"]
                        )
                    }
                }
                for job in claimed {
                    inFlight.count.add(1, ordering: .relaxed)
                    group.addTask { [signal] in
                        await process(job)
                        inFlight.count.subtract(1, ordering: .relaxed)
                        signal.signal()
                    }
                }
                if claimed.isEmpty || claimed.count == free {
                    _ = await cancelWhenGracefulShutdown { [signal, pollInterval] in
                        await signal.wait(timeout: pollInterval)
                    }
                }
            }
        }
    }

    /// Gives back every claim this loop still holds (jobs cancelled at the drain deadline, or whose outcome could
    /// not be recorded): they are due again at once for whoever claims next. Runs outside the (possibly cancelled)
    /// task tree, because the database refuses work from a cancelled task.
    private func giveBackClaims() async {
        let (store, owner, kind, logger, now) = (store, owner, kind, logger, now)
        await Task {
            do {
                let released = try await store.releaseClaims(owner: owner, at: now())
                if released > 0 {
                    logger.notice(
                        "gave back claims on shutdown",
                        metadata: ["kind": "\(kind.rawValue)", "jobs": "\(released)"]
                    )
                }
            } catch {
                logger.warning(
                    "could not give back claims; their leases lapse instead",
                    metadata: ["kind": "\(kind.rawValue)", "error": "\(error)"]
                )
            }
        }.value
    }
}

/// The jobs a loop has in hand.
private final class InFlight: Sendable {
    let count = Atomic<Int>(0)
}
