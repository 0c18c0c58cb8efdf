public import Foundation
import GRDB
public import LeadRouting

extension SQLiteStore: CapacityStore {
    public func record(_ records: [DecisionRecord], at date: Date) async throws -> [SlotResult] {
        let encoded = records.map { DecisionWriter.json($0.decision) }
        return try await write { db in
            try zip(records, encoded).map { record, json in try Self.record(record, json: json, at: date, in: db) }
        }
    }

    private static func record(
        _ record: DecisionRecord,
        json: String,
        at date: Date,
        in db: Database
    ) throws
        -> SlotResult
    {
        let leadID = record.leadID
        if let job = record.job {
            // The claim first: a worker whose lease lapsed writes nothing, not even the slot.
            let held = try Bool.fetchOne(
                try db.cachedStatement(
                    sql: "SELECT 1 FROM jobs WHERE id = ? AND lease_owner = ? AND status = 'queued'"
                ),
                arguments: [job.id, job.owner]
            )
            guard held != nil else { return .claimLost }
        }
        guard
            let current = try Self.firstRow(
                of: try db.cachedStatement(sql: "SELECT slot_location_id, slot_day, slot_week FROM leads WHERE id = ?"),
                arguments: [leadID],
                as: { try $0.heldSlot() }
            )
        else { throw StoreError.notFound("no lead '\(leadID)'") }
        var usage: CapacityUsage?
        if let slot = record.slot {
            if let previous = current, previous == slot {
                // Already holds this very slot (a re-run after a crash): nothing to take.
                usage = try Self.usage(of: slot, in: db)
            } else {
                switch try Self.take(slot, limits: record.limits, in: db) {
                case .full(let full): return .full(full)
                case .recorded(let taken): usage = taken
                case .claimLost: return .claimLost
                }
                if let previous = current { try Self.release(previous, in: db) }
            }
        } else if let previous = current {
            try Self.release(previous, in: db)
        }
        let decision = record.decision
        let status: LeadRecord.Status = decision.outcome == .assigned ? .assigned : .review
        try db.cachedStatement(
            sql: """
                UPDATE leads SET status = ?, outcome = ?, location_id = ?, decision = ?, routed_at = ?,
                    slot_location_id = ?, slot_day = ?, slot_week = ?, assigned_manually = ?, review_reason = NULL
                WHERE id = ?
                """
        ).execute(
            arguments: [
                status.rawValue, decision.outcome.rawValue, decision.locationID, json, date.timeIntervalSince1970,
                record.slot?.locationID, record.slot?.day, record.slot?.week, record.manual, leadID,
            ]
        )
        try Self.insert(record.followUp, at: date, in: db)
        if decision.outcome == .assigned, let delivery = record.delivery { try Self.save(delivery, in: db) }
        if let job = record.job {
            try db.cachedStatement(
                sql: """
                    UPDATE jobs SET status = 'done', lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
                    WHERE id = ?
                    """
            ).execute(
                arguments: [date.timeIntervalSince1970, job.id]
            )
        }
        return .recorded(usage)
    }

    public func releaseSlot(ofLead leadID: String) async throws -> Bool {
        try await write { db in
            guard
                let current = try Self.firstRow(
                    of: try db.cachedStatement(
                        sql: "SELECT slot_location_id, slot_day, slot_week FROM leads WHERE id = ?"
                    ),
                    arguments: [leadID],
                    as: { try $0.heldSlot() }
                )
            else { throw StoreError.notFound("no lead '\(leadID)'") }
            guard let slot = current else { return false }
            try Self.release(slot, in: db)
            try db.cachedStatement(
                sql: "UPDATE leads SET slot_location_id = NULL, slot_day = NULL, slot_week = NULL WHERE id = ?"
            ).execute(
                arguments: [leadID]
            )
            return true
        }
    }

    public func usage(in slots: [CapacitySlot]) async throws -> [String: CapacityUsage] {
        try await read { db in
            var result: [String: CapacityUsage] = [:]
            for slot in slots { result[slot.locationID] = try Self.usage(of: slot, in: db) }
            return result
        }
    }

    /// Takes the slot with conditional updates: each window's count goes up only while it is below its limit.
    private static func take(_ slot: CapacitySlot, limits: SlotLimits, in db: Database) throws -> SlotResult {
        let windows = [("week", slot.week, limits.week), ("day", slot.day, limits.day)]
        for (kind, index, _) in windows {
            try db.cachedStatement(
                sql: """
                    INSERT INTO capacity_ledger (location_id, window_kind, window_index, used) VALUES (?, ?, ?, 0)
                    ON CONFLICT (location_id, window_kind, window_index) DO NOTHING
                    """
            ).execute(
                arguments: [slot.locationID, kind, index]
            )
        }
        var taken: [String: Int] = [:]
        for (kind, index, limit) in windows {
            let used = try Int.fetchOne(
                try db.cachedStatement(
                    sql: """
                        UPDATE capacity_ledger SET used = used + 1
                        WHERE location_id = ? AND window_kind = ? AND window_index = ? AND (? IS NULL OR used < ?)
                        RETURNING used
                        """
                ),
                arguments: [slot.locationID, kind, index, limit, limit]
            )
            guard let used else {
                if taken["week"] != nil {
                    // The week was taken a moment ago in this transaction: give it back.
                    try db.cachedStatement(
                        sql: """
                            UPDATE capacity_ledger SET used = used - 1
                            WHERE location_id = ? AND window_kind = 'week' AND window_index = ?
                            """
                    ).execute(
                        arguments: [slot.locationID, slot.week]
                    )
                }
                return .full(try usage(of: slot, in: db))
            }
            taken[kind] = used
        }
        return .recorded(CapacityUsage(today: taken["day"] ?? 0, thisWeek: taken["week"] ?? 0))
    }

    /// Gives one lead back in each of the slot's windows; counts never go below zero.
    private static func release(_ slot: CapacitySlot, in db: Database) throws {
        for (kind, index) in [("day", slot.day), ("week", slot.week)] {
            try db.cachedStatement(
                sql: """
                    UPDATE capacity_ledger SET used = used - 1
                    WHERE location_id = ? AND window_kind = ? AND window_index = ? AND used > 0
                    """
            ).execute(
                arguments: [slot.locationID, kind, index]
            )
        }
    }

    private static func usage(of slot: CapacitySlot, in db: Database) throws -> CapacityUsage {
        let rows = try Self.rows(
            of: try db.cachedStatement(
                sql: """
                    SELECT window_kind, used FROM capacity_ledger
                    WHERE location_id = ? AND ((window_kind = 'day' AND window_index = ?)
                        OR (window_kind = 'week' AND window_index = ?))
                    """
            ),
            arguments: [slot.locationID, slot.day, slot.week],
            as: { row -> (kind: String, used: Int) in (row["window_kind"], row["used"]) }
        )
        var usage = CapacityUsage()
        for row in rows {
            if row.kind == "day" {
                usage.today = row.used
            } else {
                usage.thisWeek = row.used
            }
        }
        return usage
    }
}
