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
            // Oldest due first, in the order of the `jobs_due` index (kind, status, run_at, then the row id), so a
            // claim reads only the rows it takes however long the queue is; ordering by id alone sorted every
            // queued job on each claim. PostgreSQL: the same statement with `FOR UPDATE SKIP LOCKED` in the subquery.
            try Self.rows(
                of: try db.cachedStatement(
                    sql: """
                        UPDATE jobs SET lease_owner = ?, lease_expires_at = ?, attempts = attempts + 1, updated_at = ?
                        WHERE id IN (
                            SELECT id FROM jobs
                            WHERE kind = ? AND status = 'queued' AND run_at <= ?
                                AND (lease_expires_at IS NULL OR lease_expires_at < ?)
                            ORDER BY run_at, id LIMIT ?)
                        RETURNING *
                        """
                ),
                arguments: [owner, expires, seconds, kind.rawValue, seconds, seconds, limit],
                as: { try $0.job() }
            )
            .sorted { $0.id < $1.id }
        }
    }

    @discardableResult
    public func completeJob(_ claim: JobClaim, at date: Date) async throws -> Bool {
        try await write { db in
            try db.cachedStatement(
                sql: """
                    UPDATE jobs SET status = 'done', lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
                    WHERE id = ? AND lease_owner = ? AND status = 'queued'
                    """
            ).execute(
                arguments: [date.timeIntervalSince1970, claim.id, claim.owner]
            )
            return db.changesCount == 1
        }
    }

    public func releaseClaims(owner: String, at date: Date) async throws -> Int {
        try await write { db in
            try db.cachedStatement(
                sql: """
                    UPDATE jobs SET lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
                    WHERE lease_owner = ? AND status = 'queued'
                    """
            ).execute(arguments: [date.timeIntervalSince1970, owner])
            return db.changesCount
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

    public func enqueue(_ jobs: [NewJob], at date: Date) async throws {
        try await write { db in try Self.insert(jobs, at: date, in: db) }
    }

    public func settle(_ outcomes: [JobOutcome], at date: Date) async throws -> [Bool] {
        try await write { db in try outcomes.map { try Self.settle($0, at: date, in: db) } }
    }

    private static func settle(_ outcome: JobOutcome, at date: Date, in db: Database) throws -> Bool {
        let now = date.timeIntervalSince1970
        let delivery: DeliveryRecord?
        switch outcome {
        case .finished(let id, let owner, let next, let record):
            try db.cachedStatement(
                sql: """
                    UPDATE jobs SET status = 'done', lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
                    WHERE id = ? AND lease_owner = ? AND status = 'queued'
                    """
            ).execute(arguments: [now, id, owner])
            guard db.changesCount == 1 else { return false }
            try insert(next, at: date, in: db)
            delivery = record
        case .retry(let id, let owner, let runAt, let counts, let error, let record):
            try db.cachedStatement(
                sql: """
                    UPDATE jobs SET run_at = ?, lease_owner = NULL, lease_expires_at = NULL, last_error = ?,
                        attempts = attempts - ?, updated_at = ?
                    WHERE id = ? AND lease_owner = ? AND status = 'queued'
                    """
            ).execute(arguments: [runAt.timeIntervalSince1970, error, counts ? 0 : 1, now, id, owner])
            guard db.changesCount == 1 else { return false }
            delivery = record
        case .dead(let id, let owner, let reason, let record, let next):
            try db.cachedStatement(
                sql: """
                    UPDATE jobs SET status = 'dead', dead_at = ?, lease_owner = NULL, lease_expires_at = NULL,
                        last_error = ?, updated_at = ?
                    WHERE id = ? AND lease_owner = ? AND status = 'queued'
                    """
            ).execute(arguments: [now, reason, now, id, owner])
            guard db.changesCount == 1 else { return false }
            try insert(next, at: date, in: db)
            delivery = record
        }
        if let delivery { try save(delivery, in: db) }
        return true
    }

    public func heartbeat(_ id: Int64, owner: String, leaseFor: Duration, now: Date) async throws -> Bool {
        let expires =
            now.timeIntervalSince1970 + Double(leaseFor.components.seconds)
            + Double(leaseFor.components.attoseconds) / 1e18
        return try await write { db in
            try db.cachedStatement(
                sql: "UPDATE jobs SET lease_expires_at = ? WHERE id = ? AND lease_owner = ? AND status = 'queued'"
            ).execute(arguments: [expires, id, owner])
            return db.changesCount == 1
        }
    }

    public func deadLetters(kind: Job.Kind, since: Date?, limit: Int) async throws -> [Job] {
        try await read { db in
            try Self.rows(
                of: try db.cachedStatement(
                    sql: """
                        SELECT * FROM jobs WHERE kind = ? AND status = 'dead' AND dead_at >= ?
                        ORDER BY dead_at DESC, id DESC LIMIT ?
                        """
                ),
                arguments: [kind.rawValue, since?.timeIntervalSince1970 ?? 0, max(1, limit)],
                as: { try $0.job() }
            )
        }
    }

    public func replayDeadLetters(kind: Job.Kind, ids: [Int64]?, since: Date?, at date: Date) async throws -> Int {
        try await write { db in
            let now = date.timeIntervalSince1970
            if let ids {
                var count = 0
                for id in ids {
                    try db.cachedStatement(
                        sql: """
                            UPDATE jobs SET status = 'queued', attempts = 0, run_at = ?, dead_at = NULL, updated_at = ?
                            WHERE id = ? AND kind = ? AND status = 'dead'
                            """
                    ).execute(arguments: [now, now, id, kind.rawValue])
                    count += db.changesCount
                }
                return count
            }
            try db.cachedStatement(
                sql: """
                    UPDATE jobs SET status = 'queued', attempts = 0, run_at = ?, dead_at = NULL, updated_at = ?
                    WHERE kind = ? AND status = 'dead' AND dead_at >= ?
                    """
            ).execute(arguments: [now, now, kind.rawValue, since?.timeIntervalSince1970 ?? 0])
            return db.changesCount
        }
    }

    public func jobs(ofLead leadID: String) async throws -> [Job] {
        try await read { db in
            try Self.rows(
                of: try db.cachedStatement(sql: "SELECT * FROM jobs WHERE lead_id = ? ORDER BY id"),
                arguments: [leadID],
                as: { try $0.job() }
            )
        }
    }

    static func insert(_ jobs: [NewJob], at date: Date, in db: Database) throws {
        for job in jobs {
            try db.cachedStatement(
                sql: """
                    INSERT INTO jobs (kind, lead_id, step, status, attempts, run_at, created_at, updated_at)
                    VALUES (?, ?, ?, 'queued', 0, ?, ?, ?)
                    """
            ).execute(arguments: [
                job.kind.rawValue, job.leadID, job.step, job.runAt.timeIntervalSince1970, date.timeIntervalSince1970,
                date.timeIntervalSince1970,
            ])
        }
    }
}
