public import Foundation
public import LeadRouting
import PostgresNIO

extension PostgresStore: CapacityStore {
    /// A capacity ledger row's key.
    private struct WindowKey: Hashable, Comparable {
        var locationID: String
        var kind: String
        var index: Int

        static func < (a: Self, b: Self) -> Bool {
            (a.locationID, a.kind, a.index) < (b.locationID, b.kind, b.index)
        }
    }

    private static func keys(of slot: CapacitySlot) -> [WindowKey] {
        [
            WindowKey(locationID: slot.locationID, kind: "day", index: slot.day),
            WindowKey(locationID: slot.locationID, kind: "week", index: slot.week),
        ]
    }

    /// Records the decisions in one transaction. Under concurrency it takes its row locks in one global order —
    /// the routing jobs' rows by id, then the leads' by id, then every ledger row it may touch by key — so two
    /// instances recording decisions for the same locations wait for each other and never deadlock; each take is
    /// then the same conditional update as on SQLite (`used < limit`, re-checked by PostgreSQL on the newest row
    /// version), so the ledger is exact.
    public func record(_ records: [DecisionRecord], at date: Date) async throws -> [SlotResult] {
        guard !records.isEmpty else { return [] }
        let encoded = records.map { DecisionWriter.json($0.decision) }
        return try await transaction { db in
            // The claims: a routing job still held by the caller is locked; a lost one makes its record a no-op.
            let claims = records.compactMap(\.job)
            var held: Set<JobClaim> = []
            if !claims.isEmpty {
                let ids = claims.map(\.id).sorted()
                for row in try await db.rows(
                    """
                    SELECT id, lease_owner FROM jobs WHERE id = ANY(\(ids)) AND status = 'queued'
                    ORDER BY id FOR UPDATE
                    """
                ) {
                    guard let owner = try row["lease_owner"].decode(String?.self) else { continue }
                    held.insert(JobClaim(id: try row["id"].decode(Int64.self), owner: owner))
                }
            }
            let live = records.filter { $0.job.map(held.contains) ?? true }
            // The leads, locked: their held slots are read and changed by this transaction only.
            let leadIDs = Array(Set(live.map(\.leadID))).sorted()
            var current: [String: CapacitySlot?] = [:]
            if !leadIDs.isEmpty {
                for row in try await db.rows(
                    """
                    SELECT id, slot_location_id, slot_day, slot_week FROM leads WHERE id = ANY(\(leadIDs))
                    ORDER BY id FOR UPDATE
                    """
                ) {
                    current[try row["id"].decode(String.self)] = try row.heldSlot()
                }
            }
            if let missing = leadIDs.first(where: { current[$0] == nil }) {
                throw StoreError.notFound("no lead '\(missing)'")
            }
            // The ledger rows: the windows to take are created if new, then every row to take or release is
            // locked, in key order.
            let takes = Set(live.compactMap(\.slot).flatMap(Self.keys(of:))).sorted()
            let touched = Set(takes + current.values.compactMap { $0 }.flatMap(Self.keys(of:))).sorted()
            if !takes.isEmpty {
                try await db.rows(
                    """
                    INSERT INTO capacity_ledger (location_id, window_kind, window_index, used)
                    SELECT location_id, window_kind, window_index, 0
                    FROM unnest(\(takes.map(\.locationID)), \(takes.map(\.kind)), \(takes.map(\.index)))
                        AS windows (location_id, window_kind, window_index)
                    ORDER BY location_id, window_kind, window_index
                    ON CONFLICT (location_id, window_kind, window_index) DO NOTHING
                    """
                )
            }
            if !touched.isEmpty {
                try await db.rows(
                    """
                    SELECT 1 FROM capacity_ledger
                    WHERE (location_id, window_kind, window_index) IN (
                        SELECT * FROM unnest(\(touched.map(\.locationID)), \(touched.map(\.kind)),
                            \(touched.map(\.index))))
                    ORDER BY location_id, window_kind, window_index FOR UPDATE
                    """
                )
            }
            var results: [SlotResult] = []
            for (record, json) in zip(records, encoded) {
                guard record.job.map(held.contains) ?? true else {
                    results.append(.claimLost)
                    continue
                }
                let result = try await Self.record(
                    record,
                    json: json,
                    previous: current[record.leadID] ?? nil,
                    at: date,
                    in: db
                )
                if case .recorded = result { current[record.leadID] = .some(record.slot) }
                results.append(result)
            }
            return results
        }
    }

    private static func record(
        _ record: DecisionRecord,
        json: String,
        previous: CapacitySlot?,
        at date: Date,
        in db: Transaction
    ) async throws -> SlotResult {
        var usage: CapacityUsage?
        if let slot = record.slot {
            if let previous, previous == slot {
                // Already holds this very slot (a re-run after a crash): nothing to take.
                usage = try await Self.usage(of: slot, in: db)
            } else {
                switch try await take(slot, limits: record.limits, in: db) {
                case .full(let full): return .full(full)
                case .recorded(let taken): usage = taken
                case .claimLost: return .claimLost
                }
                if let previous { try await release(previous, in: db) }
            }
        } else if let previous {
            try await release(previous, in: db)
        }
        let decision = record.decision
        let status: LeadRecord.Status = decision.outcome == .assigned ? .assigned : .review
        let seconds = date.timeIntervalSince1970
        try await db.rows(
            """
            UPDATE leads SET status = \(status.rawValue), outcome = \(decision.outcome.rawValue),
                location_id = \(decision.locationID), decision = \(json), routed_at = \(seconds),
                slot_location_id = \(record.slot?.locationID), slot_day = \(record.slot?.day),
                slot_week = \(record.slot?.week), assigned_manually = \(record.manual), review_reason = NULL
            WHERE id = \(record.leadID)
            """
        )
        try await insert(record.followUp, at: date, in: db)
        if decision.outcome == .assigned, let delivery = record.delivery { try await db.rows(save(delivery)) }
        if let job = record.job {
            try await db.rows(
                """
                UPDATE jobs SET status = 'done', lease_owner = NULL, lease_expires_at = NULL, updated_at = \(seconds)
                WHERE id = \(job.id)
                """
            )
        }
        return .recorded(usage)
    }

    public func releaseSlot(ofLead leadID: String) async throws -> Bool {
        try await transaction { db in
            let rows = try await db.rows(
                "SELECT slot_location_id, slot_day, slot_week FROM leads WHERE id = \(leadID) FOR UPDATE"
            )
            guard let row = rows.first else { throw StoreError.notFound("no lead '\(leadID)'") }
            guard let slot = try row.heldSlot() else { return false }
            let keys = Self.keys(of: slot).sorted()
            try await db.rows(
                """
                SELECT 1 FROM capacity_ledger
                WHERE (location_id, window_kind, window_index) IN (
                    SELECT * FROM unnest(\(keys.map(\.locationID)), \(keys.map(\.kind)), \(keys.map(\.index))))
                ORDER BY location_id, window_kind, window_index FOR UPDATE
                """
            )
            try await Self.release(slot, in: db)
            try await db.rows(
                "UPDATE leads SET slot_location_id = NULL, slot_day = NULL, slot_week = NULL WHERE id = \(leadID)"
            )
            return true
        }
    }

    public func usage(in slots: [CapacitySlot]) async throws -> [String: CapacityUsage] {
        guard !slots.isEmpty else { return [:] }
        let rows = try await rows(
            """
            SELECT ledger.location_id, ledger.window_kind, ledger.used
            FROM capacity_ledger ledger
            JOIN unnest(\(slots.map(\.locationID)), \(slots.map(\.day)), \(slots.map(\.week)))
                AS slot (location_id, day, week) ON ledger.location_id = slot.location_id
            WHERE (ledger.window_kind = 'day' AND ledger.window_index = slot.day)
                OR (ledger.window_kind = 'week' AND ledger.window_index = slot.week)
            """
        )
        var result: [String: CapacityUsage] = [:]
        for slot in slots { result[slot.locationID] = CapacityUsage() }
        for row in rows {
            let location = try row["location_id"].decode(String.self)
            let used = try row["used"].decode(Int.self)
            if try row["window_kind"].decode(String.self) == "day" {
                result[location, default: CapacityUsage()].today = used
            } else {
                result[location, default: CapacityUsage()].thisWeek = used
            }
        }
        return result
    }

    /// Takes the slot with conditional updates: each window's count goes up only while it is below its limit.
    private static func take(_ slot: CapacitySlot, limits: SlotLimits, in db: Transaction) async throws -> SlotResult {
        var taken: [String: Int] = [:]
        for (kind, index, limit) in [("week", slot.week, limits.week), ("day", slot.day, limits.day)] {
            // The nullable limit is typed: an untyped NULL parameter cannot be compared.
            let rows = try await db.rows(
                """
                UPDATE capacity_ledger SET used = used + 1
                WHERE location_id = \(slot.locationID) AND window_kind = \(kind) AND window_index = \(index)
                    AND (\(limit)::bigint IS NULL OR used < \(limit)::bigint)
                RETURNING used
                """
            )
            guard let row = rows.first else {
                if taken["week"] != nil {
                    // The week was taken a moment ago in this transaction: give it back.
                    try await db.rows(
                        """
                        UPDATE capacity_ledger SET used = used - 1
                        WHERE location_id = \(slot.locationID) AND window_kind = 'week'
                            AND window_index = \(slot.week)
                        """
                    )
                }
                return .full(try await usage(of: slot, in: db))
            }
            taken[kind] = try row["used"].decode(Int.self)
        }
        return .recorded(CapacityUsage(today: taken["day"] ?? 0, thisWeek: taken["week"] ?? 0))
    }

    /// Gives one lead back in each of the slot's windows; counts never go below zero.
    private static func release(_ slot: CapacitySlot, in db: Transaction) async throws {
        try await db.rows(
            """
            UPDATE capacity_ledger SET used = used - 1
            WHERE location_id = \(slot.locationID) AND used > 0
                AND ((window_kind = 'day' AND window_index = \(slot.day))
                    OR (window_kind = 'week' AND window_index = \(slot.week)))
            """
        )
    }

    private static func usage(of slot: CapacitySlot, in db: Transaction) async throws -> CapacityUsage {
        var usage = CapacityUsage()
        for row in try await db.rows(
            """
            SELECT window_kind, used FROM capacity_ledger
            WHERE location_id = \(slot.locationID) AND ((window_kind = 'day' AND window_index = \(slot.day))
                OR (window_kind = 'week' AND window_index = \(slot.week)))
            """
        ) {
            let used = try row["used"].decode(Int.self)
            if try row["window_kind"].decode(String.self) == "day" { usage.today = used } else { usage.thisWeek = used }
        }
        return usage
    }
}
