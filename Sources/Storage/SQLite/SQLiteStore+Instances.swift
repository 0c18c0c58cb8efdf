public import Foundation
import GRDB

extension SQLiteStore: InstanceStore {
    public func heartbeat(instance id: String, liveness: Duration, at date: Date) async throws -> Int {
        let now = date.timeIntervalSince1970
        let horizon = now - Double(liveness.components.seconds)
        return try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO instances (id, heartbeat_at) VALUES (?, ?)
                    ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at
                    """,
                arguments: [id, now]
            )
            try db.execute(sql: "DELETE FROM instances WHERE heartbeat_at < ?", arguments: [now - 3_600])
            return try Int.fetchOne(
                db,
                sql: "SELECT COUNT(*) FROM instances WHERE heartbeat_at >= ?",
                arguments: [horizon]
            )
                ?? 1
        }
    }

    public func removeInstance(_ id: String) async throws {
        try await write { db in try db.execute(sql: "DELETE FROM instances WHERE id = ?", arguments: [id]) }
    }
}
