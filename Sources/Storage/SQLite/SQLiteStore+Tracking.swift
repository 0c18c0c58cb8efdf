public import Foundation
import GRDB
import LeadRouting
public import LeadTracking

extension SQLiteStore: TrackingStore {
    public func track(_ events: [GHLEvent], rules: WorkedRules, at date: Date) async throws -> [TrackResult] {
        try await trackCommits.submit(events.map { TrackedEvent(event: $0, rules: rules, at: date) })
    }

    /// Events from concurrent requests are written together, one transaction per batch (as intake is).
    static func trackCommits(on writer: any DatabaseWriter) -> GroupCommit<TrackedEvent, TrackResult> {
        GroupCommit(writer: writer, of: "events") { db, items in
            var clocks = BusinessClocks()
            return try items.map { item in
                try track(item.event, rules: item.rules, at: item.at, clocks: &clocks, in: db)
            }
        }
    }

    private static func track(
        _ event: GHLEvent,
        rules: WorkedRules,
        at date: Date,
        clocks: inout BusinessClocks,
        in db: Database
    ) throws -> TrackResult {
        if case .installation(let installed) = event.change {
            try db.cachedStatement(
                sql: """
                    INSERT INTO ghl_installations (ghl_location_id, installed, changed_at) VALUES (?, ?, ?)
                    ON CONFLICT (ghl_location_id) DO UPDATE SET installed = excluded.installed,
                        changed_at = excluded.changed_at
                    WHERE excluded.changed_at >= ghl_installations.changed_at
                    """
            ).execute(arguments: [event.ghlLocationID, installed, event.occurredAt.timeIntervalSince1970])
            return .installation(installed: installed)
        }
        guard let contactID = event.contactID,
            let attempt = try firstRow(
                of: try db.cachedStatement(
                    sql: """
                        SELECT * FROM attempts WHERE ghl_location_id = ? AND contact_id = ?
                        ORDER BY delivered_at DESC LIMIT 1
                        """
                ),
                arguments: [event.ghlLocationID, contactID],
                as: { try $0.attemptRecord() }
            )
        else { return try keepEarly(event, rules: rules, at: date, in: db) }
        var progress = attempt.progress
        let note = progress.apply(event, rules: rules)
        try db.cachedStatement(
            sql: """
                INSERT INTO ghl_events (webhook_id, lead_id, attempt_no, type, occurred_at, received_at, note_kind, note)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (webhook_id) DO NOTHING
                """
        ).execute(arguments: [
            event.webhookID, attempt.leadID, attempt.number, event.type, event.occurredAt.timeIntervalSince1970,
            date.timeIntervalSince1970, note?.kind, note?.text,
        ])
        guard db.changesCount > 0 else { return .duplicate(leadID: attempt.leadID) }
        guard progress != attempt.progress else { return .applied(leadID: attempt.leadID) }
        try advance(attempt, to: progress, clocks: &clocks, in: db)
        return .applied(leadID: attempt.leadID)
    }

    /// Saves an attempt's new progress and adds what changed to the funnel aggregates.
    private static func advance(
        _ attempt: AttemptRecord,
        to progress: AttemptProgress,
        clocks: inout BusinessClocks,
        in db: Database
    ) throws {
        let update = try AttemptUpdate(attempt, to: progress) {
            try clocks.clock(of: attempt.locationID) { id in try location(id, in: db) }
        }
        try db.cachedStatement(
            sql: "UPDATE attempts SET progress = ?, speed_seconds = ? WHERE lead_id = ? AND attempt_no = ?"
        ).execute(arguments: [
            try AttemptProgress.storedText(update.progress), update.speedSeconds, attempt.leadID, attempt.number,
        ])
        try addToFunnel(update.change, of: attempt, in: db)
    }

    /// An event about a contact whose delivery is under way is kept until its attempt starts.
    private static func keepEarly(
        _ event: GHLEvent,
        rules: WorkedRules,
        at date: Date,
        in db: Database
    ) throws
        -> TrackResult
    {
        guard let contactID = event.contactID,
            let leadID = try String.fetchOne(
                db.cachedStatement(sql: "SELECT lead_id FROM deliveries WHERE ghl_location_id = ? AND contact_id = ?"),
                arguments: [event.ghlLocationID, contactID]
            )
        else { return .untracked }
        try db.cachedStatement(
            sql: """
                INSERT INTO ghl_events (webhook_id, lead_id, attempt_no, type, occurred_at, received_at, early_event)
                VALUES (?, ?, 0, ?, ?, ?, ?) ON CONFLICT (webhook_id) DO NOTHING
                """
        ).execute(arguments: [
            event.webhookID, leadID, event.type, event.occurredAt.timeIntervalSince1970, date.timeIntervalSince1970,
            try EarlyEvent(event: event, rules: rules).storedText,
        ])
        return db.changesCount > 0 ? .early(leadID: leadID) : .duplicate(leadID: leadID)
    }

    private static func location(_ id: String, in db: Database) throws -> StoredLocation? {
        try firstRow(
            of: try db.cachedStatement(sql: "SELECT * FROM locations WHERE id = ?"),
            arguments: [id],
            as: { try $0.storedLocation() }
        )
    }

    /// Starts the lead's attempt at its current location when its delivery completes (once per location).
    static func startAttempt(for record: DeliveryRecord, in db: Database) throws {
        guard record.state == .delivered else { return }
        let started = try firstRow(
            of: try db.cachedStatement(
                sql: """
                    INSERT INTO attempts (lead_id, attempt_no, location_id, ghl_location_id, contact_id, opportunity_id,
                        reason, source, arrived_at, delivered_at, progress)
                    SELECT l.id, coalesce((SELECT max(attempt_no) FROM attempts WHERE lead_id = l.id), 0) + 1,
                        l.location_id, ?, ?, ?,
                        CASE WHEN NOT EXISTS (SELECT 1 FROM attempts WHERE lead_id = l.id) THEN 'initial'
                            WHEN l.assigned_manually THEN 'manual' ELSE 'slaReroute' END,
                        coalesce(l.source, ''), l.received_at, ?, ?
                    FROM leads l
                    WHERE l.id = ? AND l.location_id IS NOT NULL AND NOT EXISTS (
                        SELECT 1 FROM attempts a WHERE a.lead_id = l.id AND a.location_id = l.location_id)
                    ON CONFLICT (lead_id, attempt_no) DO NOTHING
                    RETURNING *
                    """
            ),
            arguments: [
                record.ghlLocationID, record.contactID, record.opportunityID, record.updatedAt.timeIntervalSince1970,
                try AttemptProgress.storedText(AttemptProgress()), record.leadID,
            ],
            as: { try $0.attemptRecord() }
        )
        guard let started else { return }
        try addToFunnel(FunnelChange(from: nil, to: FunnelContribution(started)), of: started, in: db)
        // Events that came while the delivery was under way (staff may call before the last step is done).
        let early = try Row.fetchAll(
            db.cachedStatement(
                sql: "SELECT webhook_id, early_event FROM ghl_events WHERE lead_id = ? AND attempt_no = 0"
            ),
            arguments: [record.leadID]
        ).compactMap { row -> (webhookID: String, text: String)? in
            guard let id: String = row["webhook_id"], let text: String = row["early_event"] else { return nil }
            return (id, text)
        }
        guard !early.isEmpty else { return }
        var progress = started.progress
        for (webhookID, note) in try EarlyEvent.apply(early, to: &progress) {
            try db.cachedStatement(
                sql: """
                    UPDATE ghl_events SET attempt_no = ?, note_kind = ?, note = ?, early_event = NULL
                    WHERE webhook_id = ?
                    """
            ).execute(arguments: [started.number, note?.kind, note?.text, webhookID])
        }
        var clocks = BusinessClocks()
        try advance(started, to: progress, clocks: &clocks, in: db)
    }

    /// Adds a change to the aggregates of the attempt's group, in its day and in its month.
    private static func addToFunnel(_ change: FunnelChange, of attempt: AttemptRecord, in db: Database) throws {
        guard !change.isEmpty else { return }
        let day = FunnelPeriods.day(attempt.deliveredAt)
        for (table, period, index) in [
            ("funnel_daily", "day", day), ("funnel_monthly", "month", FunnelPeriods.month(ofDay: day)),
        ] {
            let counts = change.counts
            let stored = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        INSERT INTO \(table) (\(period), location_id, source, delivered, attempted, contacted, booked,
                            showed, won, lost, rerouted, revenue)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (\(period), location_id, source) DO UPDATE SET
                            delivered = delivered + excluded.delivered, attempted = attempted + excluded.attempted,
                            contacted = contacted + excluded.contacted, booked = booked + excluded.booked,
                            showed = showed + excluded.showed, won = won + excluded.won, lost = lost + excluded.lost,
                            rerouted = rerouted + excluded.rerouted, revenue = revenue + excluded.revenue
                        RETURNING speed, wait
                        """
                ),
                arguments: [
                    index, attempt.locationID, attempt.source, counts.delivered, counts.attempted, counts.contacted,
                    counts.booked, counts.showed, counts.won, counts.lost, counts.rerouted, counts.revenue,
                ]
            )
            guard change.changesHistograms else { continue }
            let key: StatementArguments = [index, attempt.locationID, attempt.source]
            let speed = FunnelChange.apply(change.speed, to: try stored?.bytes("speed"))
            let wait = FunnelChange.apply(change.wait, to: try stored?.bytes("wait"))
            try db.cachedStatement(
                sql: "UPDATE \(table) SET speed = ?, wait = ? WHERE \(period) = ? AND location_id = ? AND source = ?"
            ).execute(arguments: [Data(speed), Data(wait)] + key)
        }
    }

    /// Builds the funnel aggregates afresh from the attempts (after a change to how they are kept).
    static func rebuildFunnel(in db: Database) throws {
        try db.execute(sql: "DELETE FROM funnel_daily; DELETE FROM funnel_monthly")
        let attempts = try Row.fetchCursor(db, sql: "SELECT * FROM attempts")
        while let row = try attempts.next() {
            let attempt = try row.attemptRecord()
            try addToFunnel(FunnelChange(from: nil, to: FunnelContribution(attempt)), of: attempt, in: db)
        }
    }

    public func setSLA(_ change: SLAChange, at date: Date) async throws {
        try await write { db in
            guard
                let attempt = try Self.firstRow(
                    of: try db.cachedStatement(sql: "SELECT * FROM attempts WHERE lead_id = ? AND attempt_no = ?"),
                    arguments: [change.leadID, change.attempt],
                    as: { try $0.attemptRecord() }
                )
            else { throw StoreError.notFound("no attempt \(change.attempt) of lead '\(change.leadID)'") }
            var progress = attempt.progress
            progress.reroutedAway = progress.reroutedAway || change.reroutedAway
            try db.cachedStatement(
                sql: """
                    UPDATE attempts SET sla_state = ?, sla_due_at = ?, progress = ?
                    WHERE lead_id = ? AND attempt_no = ?
                    """
            ).execute(arguments: [
                change.state, change.dueAt?.timeIntervalSince1970, try AttemptProgress.storedText(progress),
                change.leadID, change.attempt,
            ])
            var changed = attempt
            changed.progress = progress
            try Self.addToFunnel(
                FunnelChange(from: FunnelContribution(attempt), to: FunnelContribution(changed)),
                of: attempt,
                in: db
            )
        }
    }

    public func claimAttemptsToReconcile(
        deliveredSince: Date,
        reconciledBefore before: Date,
        limit: Int,
        at date: Date
    ) async throws -> [AttemptRecord] {
        try await write { db in
            try Self.rows(
                of: try db.cachedStatement(
                    sql: """
                        UPDATE attempts SET reconciled_at = ?
                        WHERE rowid IN (
                            SELECT rowid FROM attempts WHERE delivered_at >= ? AND coalesce(reconciled_at, 0) < ?
                            ORDER BY coalesce(reconciled_at, 0), delivered_at LIMIT ?)
                        RETURNING *
                        """
                ),
                arguments: [
                    date.timeIntervalSince1970, deliveredSince.timeIntervalSince1970, before.timeIntervalSince1970,
                    limit,
                ],
                as: { try $0.attemptRecord() }
            )
        }
    }

    public func flagForReview(leadID: String, reason: String, followUp: [NewJob], at date: Date) async throws {
        try await write { db in
            try db.cachedStatement(sql: "UPDATE leads SET status = 'review', review_reason = ? WHERE id = ?")
                .execute(arguments: [reason, leadID])
            guard db.changesCount > 0 else { throw StoreError.notFound("no lead '\(leadID)'") }
            try Self.insert(followUp, at: date, in: db)
        }
    }

    public func appInstallations() async throws -> [String: AppInstallation] {
        try await read { db in
            var found: [String: AppInstallation] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM ghl_installations") {
                guard let id: String = row["ghl_location_id"], let at: Double = row["changed_at"] else { continue }
                found[id] = AppInstallation(
                    installed: row["installed"] ?? false,
                    changedAt: Date(timeIntervalSince1970: at)
                )
            }
            return found
        }
    }

    public func attempts(ofLead leadID: String) async throws -> [AttemptRecord] {
        try await read { db in
            try Self.rows(
                of: try db.cachedStatement(sql: "SELECT * FROM attempts WHERE lead_id = ? ORDER BY attempt_no"),
                arguments: [leadID],
                as: { try $0.attemptRecord() }
            )
        }
    }

    public func timeline(ofLead leadID: String) async throws -> [TimelineEntry] {
        try await read { db in
            try Self.rows(
                of: try db.cachedStatement(
                    sql: """
                        SELECT * FROM ghl_events WHERE lead_id = ? AND note_kind IS NOT NULL
                        ORDER BY occurred_at, received_at, webhook_id
                        """
                ),
                arguments: [leadID],
                as: { try $0.timelineEntry() }
            )
        }
    }

    public func funnel(by grouping: FunnelGrouping, since: Date?, until: Date?) async throws -> [FunnelRow] {
        let window = FunnelPeriods.window(since: since, until: until)
        let key = grouping == .location ? "location_id" : "source"
        let columns =
            "\(key) AS key, delivered, attempted, contacted, booked, showed, won, lost, rerouted, revenue, speed, wait"
        var parts: [(sql: String, range: ClosedRange<Int>)] = []
        if let months = window.months {
            parts.append(("SELECT \(columns) FROM funnel_monthly WHERE month BETWEEN ? AND ?", months))
        }
        for days in window.days {
            parts.append(("SELECT \(columns) FROM funnel_daily WHERE day BETWEEN ? AND ?", days))
        }
        return try await read { [parts] db in
            var totals = FunnelTotals()
            for part in parts {
                let rows = try Row.fetchCursor(
                    db.cachedStatement(sql: part.sql),
                    arguments: [part.range.lowerBound, part.range.upperBound]
                )
                while let row = try rows.next() {
                    totals.add(
                        key: try row.string("key") ?? "",
                        counts: try row.funnelCounts(),
                        speed: try row.bytes("speed"),
                        wait: try row.bytes("wait")
                    )
                }
            }
            return totals.rows
        }
    }
}
