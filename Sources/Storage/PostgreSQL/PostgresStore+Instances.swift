public import Foundation
import PostgresNIO

extension PostgresStore: InstanceStore {
    /// Heartbeats are stamped with the lease clock (the database's, by default), so hosts whose clocks disagree
    /// still count each other right.
    public func heartbeat(instance id: String, liveness: Duration, at date: Date) async throws -> Int {
        let clock = nowSQL(date)
        let seconds = Double(liveness.components.seconds)
        return try await transaction { db in
            try await db.rows(
                """
                INSERT INTO instances (id, heartbeat_at) VALUES (\(id), \(unescaped: clock))
                ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at
                """
            )
            try await db.rows("DELETE FROM instances WHERE heartbeat_at < \(unescaped: clock) - 3600")
            return try await db.rows(
                "SELECT count(*) AS n FROM instances WHERE heartbeat_at >= \(unescaped: clock) - \(seconds)"
            ).first.map { try $0["n"].decode(Int.self) } ?? 1
        }
    }

    public func removeInstance(_ id: String) async throws {
        try await rows("DELETE FROM instances WHERE id = \(id)")
    }
}
