public import Foundation
public import HighLevel
public import Logging
public import ServiceLifecycle
public import Storage

/// Divides GHL's rate budget among the instances sharing the store. GHL allows an app 100 calls per 10 s per
/// location (and per company), however many processes make them; each instance heartbeats into the store, counts
/// the live ones (N) and lets its rate limiters use 1/N of each budget. An instance joining others holds its calls
/// back for one heartbeat interval, until they have seen it and shrunk their shares; one that stops removes itself
/// so the others grow theirs at once, and one that dies is forgotten after the liveness period. GHL's daily budget
/// needs no division: its `X-RateLimit-Daily-Remaining` already counts every instance's calls.
public final class RateBudgetShare: Service, Sendable {
    private let store: any InstanceStore
    private let limiters: RateLimiters
    private let logger: Logger
    /// This instance's id in the store.
    public let instanceID: String
    private let interval: Duration
    private let liveness: Duration

    public init(
        store: any InstanceStore,
        limiters: RateLimiters,
        instanceID: String = "instance-\(UUID().uuidString.prefix(8).lowercased())",
        interval: Duration = .seconds(2),
        liveness: Duration = .seconds(10),
        logger: Logger
    ) {
        self.store = store
        self.limiters = limiters
        self.instanceID = instanceID
        self.interval = interval
        self.liveness = liveness
        self.logger = logger
    }

    public func run() async throws {
        var instances = 0
        var joined = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let live = max(1, try await store.heartbeat(instance: instanceID, liveness: liveness, at: Date()))
                if !joined {
                    joined = true
                    // The others learn of this instance at their next heartbeat: until then they may still use
                    // the whole budget between them.
                    if live > 1 { await limiters.close(until: .now + interval + interval / 2) }
                }
                if live != instances {
                    instances = live
                    await limiters.setShare(1 / Double(live))
                    logger.info(
                        "GHL rate budget shared by \(live) instance\(live == 1 ? "" : "s")",
                        metadata: ["instance": "\(instanceID)"]
                    )
                }
            } catch {
                logger.warning("instance heartbeat failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { [interval] in try await Task.sleep(for: interval) }
        }
        try? await store.removeInstance(instanceID)
    }
}
