public import Logging
import PostgresNIO
public import ServiceLifecycle

/// Hints from PostgreSQL that something changed, so a poller need not wait for its next poll: one pooled
/// connection held for `LISTEN` on a channel. Notifications are hints only — the poll stays the truth — so a lost
/// one costs at most a poll interval. A listening connection can die silently; every few seconds the listener
/// checks on the same session that it still listens, and on any failure reconnects, listens again and calls
/// `onNotification` once to cover what it may have missed.
public final class PostgresListener: Service, Sendable {
    private let store: PostgresStore
    private let channel: String
    private let heartbeat: Duration
    private let onNotification: @Sendable () -> Void
    private let logger: Logger

    /// - Parameters:
    ///   - channel: The channel (`switchboard_locations` is notified by every change to the locations).
    ///   - heartbeat: How often the session is checked.
    public init(
        store: PostgresStore,
        channel: String,
        heartbeat: Duration = .seconds(5),
        logger: Logger,
        onNotification: @escaping @Sendable () -> Void
    ) {
        self.store = store
        self.channel = channel
        self.heartbeat = heartbeat
        self.logger = logger
        self.onNotification = onNotification
    }

    /// The `application_name` of the listening session (visible in `pg_stat_activity`; at most 63 bytes, as
    /// PostgreSQL keeps).
    public var sessionName: String {
        String(decoding: "sb-listen:\(store.url.schema ?? "public"):\(channel)".utf8.prefix(63), as: UTF8.self)
    }

    public func run() async throws {
        var first = true
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let announce = !first
            do {
                try await cancelWhenGracefulShutdown { try await self.listenOnce(announce: announce) }
            } catch {
                if Task.isCancelled || Task.isShuttingDownGracefully { return }
                logger.warning(
                    "listening for \(channel) failed; listening again",
                    metadata: ["error": "\(PostgresStore.describe(PostgresStore.cause(of: error)))"]
                )
            }
            first = false
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(500)) }
        }
    }

    /// Holds one connection listening until it fails.
    private func listenOnce(announce: Bool) async throws {
        try await store.client.withConnection { connection in
            try await connection.query("SELECT set_config('application_name', \(sessionName), false)", logger: logger)
            try await connection.listen(on: channel) { notifications in
                // Listening again after a failure: whatever was notified meanwhile is unknown, so say "changed".
                if announce { onNotification() }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for try await _ in notifications { self.onNotification() }
                        throw StoreError.unavailable("the listening connection stopped")
                    }
                    group.addTask {
                        while true {
                            try await Task.sleep(for: self.heartbeat)
                            // On the listening session itself: a dead connection fails here.
                            try await connection.query("SELECT 1", logger: self.logger)
                        }
                    }
                    try await group.next()
                    group.cancelAll()
                }
            }
        }
    }
}
