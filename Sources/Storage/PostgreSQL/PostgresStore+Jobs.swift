public import Foundation
import PostgresNIO

extension PostgresStore: JobStore {
    /// Claims with `FOR UPDATE SKIP LOCKED` in a materialized CTE: concurrent claimers (any number of instances)
    /// skip each other's rows instead of waiting or taking them twice, and the `LIMIT` holds (the CTE is not
    /// re-run inside a nested loop, as a subquery in `WHERE id IN (…)` can be).
    public func claimJobs(
        kind: Job.Kind,
        limit: Int,
        owner: String,
        leaseFor: Duration,
        now: Date
    ) async throws -> [Job] {
        let clock = nowSQL(now)
        let lease = Double(leaseFor.components.seconds) + Double(leaseFor.components.attoseconds) / 1e18
        return try await rows(
            """
            WITH picked AS MATERIALIZED (
                SELECT id FROM jobs
                WHERE kind = \(kind.rawValue) AND status = 'queued' AND run_at <= \(unescaped: clock)
                    AND (lease_expires_at IS NULL OR lease_expires_at < \(unescaped: clock))
                ORDER BY run_at, id LIMIT \(limit)
                FOR UPDATE SKIP LOCKED)
            UPDATE jobs SET lease_owner = \(owner), lease_expires_at = \(unescaped: clock) + \(lease),
                attempts = jobs.attempts + 1, updated_at = \(now.timeIntervalSince1970)
            FROM picked WHERE jobs.id = picked.id
            RETURNING jobs.*
            """
        )
        .map { try $0.job() }
        .sorted { $0.id < $1.id }
    }

    @discardableResult
    public func completeJob(_ claim: JobClaim, at date: Date) async throws -> Bool {
        try await !rows(
            """
            UPDATE jobs SET status = 'done', lease_owner = NULL, lease_expires_at = NULL,
                updated_at = \(date.timeIntervalSince1970)
            WHERE id = \(claim.id) AND lease_owner = \(claim.owner) AND status = 'queued'
            RETURNING id
            """
        ).isEmpty
    }

    public func releaseClaims(owner: String, at date: Date) async throws -> Int {
        try await rows(
            """
            UPDATE jobs SET lease_owner = NULL, lease_expires_at = NULL, updated_at = \(date.timeIntervalSince1970)
            WHERE lease_owner = \(owner) AND status = 'queued'
            RETURNING id
            """
        ).count
    }

    public func pendingJobCount(kind: Job.Kind) async throws -> Int {
        try await rows("SELECT count(*) AS n FROM jobs WHERE kind = \(kind.rawValue) AND status = 'queued'")
            .first.map { try $0["n"].decode(Int.self) } ?? 0
    }

    public func enqueue(_ jobs: [NewJob], at date: Date) async throws {
        guard !jobs.isEmpty else { return }
        try await transaction { db in try await Self.insert(jobs, at: date, in: db) }
    }

    public func settle(_ outcomes: [JobOutcome], at date: Date) async throws -> [Bool] {
        guard !outcomes.isEmpty else { return [] }
        // In job id order, so that two settling transactions lock their rows in the same order.
        let order = outcomes.indices.sorted { Self.jobID(of: outcomes[$0]) < Self.jobID(of: outcomes[$1]) }
        return try await transaction { db in
            var results = Array(repeating: false, count: outcomes.count)
            for index in order { results[index] = try await Self.settle(outcomes[index], at: date, in: db) }
            return results
        }
    }

    private static func jobID(of outcome: JobOutcome) -> Int64 {
        switch outcome {
        case .finished(let id, _, _, _), .retry(let id, _, _, _, _, _), .dead(let id, _, _, _, _): id
        }
    }

    /// Settles one claimed job, only while the caller's lease names it.
    private static func settle(_ outcome: JobOutcome, at date: Date, in db: Transaction) async throws -> Bool {
        let now = date.timeIntervalSince1970
        let delivery: DeliveryRecord?
        switch outcome {
        case .finished(let id, let owner, let next, let record):
            let updated = try await db.rows(
                """
                UPDATE jobs SET status = 'done', lease_owner = NULL, lease_expires_at = NULL, updated_at = \(now)
                WHERE id = \(id) AND lease_owner = \(owner) AND status = 'queued'
                RETURNING id
                """
            )
            guard !updated.isEmpty else { return false }
            try await insert(next, at: date, in: db)
            delivery = record
        case .retry(let id, let owner, let runAt, let counts, let error, let record):
            let updated = try await db.rows(
                """
                UPDATE jobs SET run_at = \(runAt.timeIntervalSince1970), lease_owner = NULL, lease_expires_at = NULL,
                    last_error = \(error), attempts = attempts - \(counts ? 0 : 1), updated_at = \(now)
                WHERE id = \(id) AND lease_owner = \(owner) AND status = 'queued'
                RETURNING id
                """
            )
            guard !updated.isEmpty else { return false }
            delivery = record
        case .dead(let id, let owner, let reason, let record, let next):
            let updated = try await db.rows(
                """
                UPDATE jobs SET status = 'dead', dead_at = \(now), lease_owner = NULL, lease_expires_at = NULL,
                    last_error = \(reason), updated_at = \(now)
                WHERE id = \(id) AND lease_owner = \(owner) AND status = 'queued'
                RETURNING id
                """
            )
            guard !updated.isEmpty else { return false }
            try await insert(next, at: date, in: db)
            delivery = record
        }
        if let delivery { try await save(delivery, in: db) }
        return true
    }

    public func heartbeat(_ id: Int64, owner: String, leaseFor: Duration, now: Date) async throws -> Bool {
        let lease = Double(leaseFor.components.seconds) + Double(leaseFor.components.attoseconds) / 1e18
        return try await !rows(
            """
            UPDATE jobs SET lease_expires_at = \(unescaped: nowSQL(now)) + \(lease)
            WHERE id = \(id) AND lease_owner = \(owner) AND status = 'queued'
            RETURNING id
            """
        ).isEmpty
    }

    public func deadLetters(kind: Job.Kind, since: Date?, limit: Int) async throws -> [Job] {
        try await rows(
            """
            SELECT * FROM jobs WHERE kind = \(kind.rawValue) AND status = 'dead'
                AND dead_at >= \(since?.timeIntervalSince1970 ?? 0)
            ORDER BY dead_at DESC, id DESC LIMIT \(max(1, limit))
            """
        ).map { try $0.job() }
    }

    public func replayDeadLetters(kind: Job.Kind, ids: [Int64]?, since: Date?, at date: Date) async throws -> Int {
        let now = date.timeIntervalSince1970
        if let ids {
            return try await rows(
                """
                UPDATE jobs SET status = 'queued', attempts = 0, run_at = \(now), dead_at = NULL, updated_at = \(now)
                WHERE id = ANY(\(ids)) AND kind = \(kind.rawValue) AND status = 'dead'
                RETURNING id
                """
            ).count
        }
        return try await rows(
            """
            UPDATE jobs SET status = 'queued', attempts = 0, run_at = \(now), dead_at = NULL, updated_at = \(now)
            WHERE kind = \(kind.rawValue) AND status = 'dead' AND dead_at >= \(since?.timeIntervalSince1970 ?? 0)
            RETURNING id
            """
        ).count
    }

    public func jobs(ofLead leadID: String) async throws -> [Job] {
        try await rows("SELECT * FROM jobs WHERE lead_id = \(leadID) ORDER BY id").map { try $0.job() }
    }

    /// Queues jobs with one multi-row insert (a job's lead and step may be NULL, which arrays cannot carry).
    static func insert(_ jobs: [NewJob], at date: Date, in db: Transaction) async throws {
        guard !jobs.isEmpty else { return }
        let now = date.timeIntervalSince1970
        var binds = PostgresBindings(capacity: jobs.count * 4 + 1)
        binds.append(now)
        var values: [String] = []
        for job in jobs {
            let first = binds.count + 1
            binds.append(job.kind.rawValue)
            binds.append(job.leadID)
            binds.append(job.step)
            binds.append(job.runAt.timeIntervalSince1970)
            values.append("($\(first), $\(first + 1), $\(first + 2), 'queued', 0, $\(first + 3), $1, $1)")
        }
        try await db.rows(
            PostgresQuery(
                unsafeSQL: """
                    INSERT INTO jobs (kind, lead_id, step, status, attempts, run_at, created_at, updated_at)
                    VALUES \(values.joined(separator: ", "))
                    """,
                binds: binds
            )
        )
    }
}
