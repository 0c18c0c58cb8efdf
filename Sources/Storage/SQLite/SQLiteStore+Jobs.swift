public import Foundation
import GRDB

extension SQLiteStore: JobStore {
    public func claimJobs(
        kind: Job.Kind,
        limit: Int,
        owner: String,
        leaseFor: Duration,
        now: Date
    ) async throws -> [Job] {
        let seconds = now.timeIntervalSince1970
        let expires = seconds + Double(leaseFor.components.seconds) + Double(leaseFor.components.attoseconds) / 1e18
        return try await write { db in
            // PostgreSQL: the same statement with `FOR UPDATE SKIP LOCKED` in the subquery.
            try Row.fetchAll(
                try db.cachedStatement(
                    sql: """
                        UPDATE jobs SET lease_owner = ?, lease_expires_at = ?, attempts = attempts + 1, updated_at = ?
                        WHERE id IN (
                            SELECT id FROM jobs
                            WHERE kind = ? AND status = 'queued' AND run_at <= ?
                                AND (lease_expires_at IS NULL OR lease_expires_at < ?)
                            ORDER BY id LIMIT ?)
                        RETURNING id, kind, lead_id, attempts, lease_expires_at
                        """
                ),
                arguments: [owner, expires, seconds, kind.rawValue, seconds, seconds, limit]
            )
            .map { row in
                Job(
                    id: row["id"],
                    kind: Job.Kind(rawValue: row["kind"]),
                    leadID: row["lead_id"],
                    attempts: row["attempts"],
                    leaseExpiresAt: (row["lease_expires_at"] as Double?).map(Date.init(timeIntervalSince1970:))
                )
            }
            .sorted { $0.id < $1.id }
        }
    }

    public func completeJob(_ id: Int64, at date: Date) async throws {
        try await write { db in
            try db.cachedStatement(
                sql: "UPDATE jobs SET status = 'done', lease_owner = NULL, updated_at = ? WHERE id = ?"
            ).execute(
                arguments: [date.timeIntervalSince1970, id]
            )
        }
    }

    public func pendingJobCount(kind: Job.Kind) async throws -> Int {
        try await read { db in
            try Int.fetchOne(
                try db.cachedStatement(sql: "SELECT COUNT(*) FROM jobs WHERE kind = ? AND status = 'queued'"),
                arguments: [kind.rawValue]
            ) ?? 0
        }
    }
}
