public import Foundation
public import Logging
import ServiceLifecycle
public import Storage
import Synchronization

/// The loop of a queue worker: claims due jobs of one kind under a lease — as many as there are free places
/// (`concurrency` minus the jobs in hand) — runs each in its own task, and sleeps until woken (``WorkSignal``) or
/// the poll interval passes. On graceful shutdown it stops claiming and lets the jobs in hand finish.
public struct ClaimLoop: Sendable {
    public var store: any SwitchboardStore
    public var kind: Job.Kind
    /// The worker's name on its claims.
    public var owner: String
    public var concurrency: Int
    public var lease: Duration
    public var pollInterval: Duration
    public var signal: WorkSignal
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
        logger: Logger,
        now: @escaping @Sendable () -> Date
    ) {
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
}

/// The jobs a loop has in hand.
private final class InFlight: Sendable {
    let count = Atomic<Int>(0)
}
