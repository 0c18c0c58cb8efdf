public import Foundation
import LeadRouting
public import LeadTracking
import PostgresNIO

extension PostgresStore: TrackingStore {
    public func track(_ events: [GHLEvent], rules: WorkedRules, at date: Date) async throws -> [TrackResult] {
        try await transaction { db in
            var clocks = BusinessClocks()
            var results: [TrackResult] = []
            for event in events {
                results.append(try await Self.track(event, rules: rules, at: date, clocks: &clocks, in: db))
            }
            return results
        }
    }

    private static func track(
        _ event: GHLEvent,
        rules: WorkedRules,
        at date: Date,
        clocks: inout BusinessClocks,
        in db: Transaction
    ) async throws -> TrackResult {
        if case .installation(let installed) = event.change {
            try await db.rows(
                """
                INSERT INTO ghl_installations AS i (ghl_location_id, installed, changed_at)
                VALUES (\(event.ghlLocationID), \(installed), \(event.occurredAt.timeIntervalSince1970))
                ON CONFLICT (ghl_location_id) DO UPDATE SET installed = excluded.installed,
                    changed_at = excluded.changed_at
                WHERE excluded.changed_at >= i.changed_at
                """
            )
            return .installation(installed: installed)
        }
        // The row is locked: two instances applying events to one attempt do so one after the other.
        guard let contactID = event.contactID,
            let attempt = try await db.rows(
                """
                SELECT * FROM attempts WHERE ghl_location_id = \(event.ghlLocationID) AND contact_id = \(contactID)
                ORDER BY delivered_at DESC LIMIT 1 FOR UPDATE
                """
            ).first.map({ try $0.attemptRecord() })
        else { return try await keepEarly(event, rules: rules, at: date, in: db) }
        var progress = attempt.progress
        let note = progress.apply(event, rules: rules)
        let inserted = try await db.rows(
            """
            INSERT INTO ghl_events (webhook_id, lead_id, attempt_no, type, occurred_at, received_at, note_kind, note)
            VALUES (\(event.webhookID), \(attempt.leadID), \(attempt.number), \(event.type),
                \(event.occurredAt.timeIntervalSince1970), \(date.timeIntervalSince1970), \(note?.kind), \(note?.text))
            ON CONFLICT (webhook_id) DO NOTHING RETURNING webhook_id
            """
        )
        guard !inserted.isEmpty else { return .duplicate(leadID: attempt.leadID) }
        guard progress != attempt.progress else { return .applied(leadID: attempt.leadID) }
        try await advance(attempt, to: progress, clocks: &clocks, in: db)
        return .applied(leadID: attempt.leadID)
    }

    /// Saves an attempt's new progress and adds what changed to the funnel aggregates.
    private static func advance(
        _ attempt: AttemptRecord,
        to progress: AttemptProgress,
        clocks: inout BusinessClocks,
        in db: Transaction
    ) async throws {
        var location: StoredLocation?
        if clocks.isUnknown(attempt.locationID) {
            location = try await db.rows("SELECT * FROM locations WHERE id = \(attempt.locationID)").first
                .map { try $0.storedLocation() }
        }
        let update = AttemptUpdate(attempt, to: progress) { clocks.clock(of: attempt.locationID) { _ in location } }
        let text = try AttemptProgress.storedText(update.progress)
        try await db.rows(
            """
            UPDATE attempts SET progress = \(text), speed_seconds = \(update.speedSeconds)
            WHERE lead_id = \(attempt.leadID) AND attempt_no = \(attempt.number)
            """
        )
        try await addToFunnel(update.change, of: attempt, in: db)
    }

    /// An event about a contact whose delivery is under way is kept until its attempt starts.
    private static func keepEarly(
        _ event: GHLEvent,
        rules: WorkedRules,
        at date: Date,
        in db: Transaction
    ) async throws -> TrackResult {
        guard let contactID = event.contactID,
            let leadID = try await db.rows(
                """
                SELECT lead_id FROM deliveries WHERE ghl_location_id = \(event.ghlLocationID)
                    AND contact_id = \(contactID)
                """
            ).first.map({ try $0.string("lead_id") }) ?? nil
        else { return .untracked }
        let text = try EarlyEvent(event: event, rules: rules).storedText
        let inserted = try await db.rows(
            """
            INSERT INTO ghl_events (webhook_id, lead_id, attempt_no, type, occurred_at, received_at, early_event)
            VALUES (\(event.webhookID), \(leadID), 0, \(event.type), \(event.occurredAt.timeIntervalSince1970),
                \(date.timeIntervalSince1970), \(text))
            ON CONFLICT (webhook_id) DO NOTHING RETURNING webhook_id
            """
        )
        return inserted.isEmpty ? .duplicate(leadID: leadID) : .early(leadID: leadID)
    }

    /// Saves a delivery record and, when it is delivered, starts the lead's attempt at its location.
    static func save(_ record: DeliveryRecord, in db: Transaction) async throws {
        try await db.rows(save(record))
        guard record.state == .delivered else { return }
        let empty = try AttemptProgress.storedText(AttemptProgress())
        let started = try await db.rows(
            """
            INSERT INTO attempts (lead_id, attempt_no, location_id, ghl_location_id, contact_id, opportunity_id,
                reason, source, arrived_at, delivered_at, progress)
            SELECT l.id, coalesce((SELECT max(attempt_no) FROM attempts WHERE lead_id = l.id), 0) + 1,
                l.location_id, \(record.ghlLocationID), \(record.contactID), \(record.opportunityID),
                CASE WHEN NOT EXISTS (SELECT 1 FROM attempts WHERE lead_id = l.id) THEN 'initial'
                    WHEN l.assigned_manually THEN 'manual' ELSE 'slaReroute' END,
                coalesce(l.source, ''), l.received_at, \(record.updatedAt.timeIntervalSince1970), \(empty)
            FROM leads l
            WHERE l.id = \(record.leadID) AND l.location_id IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM attempts a WHERE a.lead_id = l.id AND a.location_id = l.location_id)
            ON CONFLICT (lead_id, attempt_no) DO NOTHING
            RETURNING *
            """
        )
        guard let attempt = try started.first.map({ try $0.attemptRecord() }) else { return }
        try await addToFunnel(FunnelChange(from: nil, to: FunnelContribution(attempt)), of: attempt, in: db)
        // Events that came while the delivery was under way (staff may call before the last step is done).
        let early = try await db.rows(
            """
            SELECT webhook_id, early_event FROM ghl_events WHERE lead_id = \(record.leadID) AND attempt_no = 0
            FOR UPDATE
            """
        ).compactMap { row -> (webhookID: String, text: String)? in
            guard let id = try row.string("webhook_id"), let text = try row.string("early_event") else { return nil }
            return (id, text)
        }
        guard !early.isEmpty else { return }
        var progress = attempt.progress
        for (webhookID, note) in try EarlyEvent.apply(early, to: &progress) {
            try await db.rows(
                """
                UPDATE ghl_events SET attempt_no = \(attempt.number), note_kind = \(note?.kind), note = \(note?.text),
                    early_event = NULL
                WHERE webhook_id = \(webhookID)
                """
            )
        }
        var clocks = BusinessClocks()
        try await advance(attempt, to: progress, clocks: &clocks, in: db)
    }

    /// Adds a change to the aggregates of the attempt's group, in its day and in its month. The upsert locks the
    /// row and returns its latest histograms, so concurrent changes to one group never lose one another.
    private static func addToFunnel(_ change: FunnelChange, of attempt: AttemptRecord, in db: Transaction) async throws
    {
        guard !change.isEmpty else { return }
        let day = FunnelPeriods.day(attempt.deliveredAt)
        for (table, period, index) in [
            ("funnel_daily", "day", day), ("funnel_monthly", "month", FunnelPeriods.month(ofDay: day)),
        ] {
            let counts = change.counts
            var upsert = PostgresQuery(
                unsafeSQL: """
                    INSERT INTO \(table) AS f (\(period), location_id, source, delivered, attempted, contacted, booked,
                        showed, won, lost, rerouted, revenue)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                    ON CONFLICT (\(period), location_id, source) DO UPDATE SET
                        delivered = f.delivered + excluded.delivered, attempted = f.attempted + excluded.attempted,
                        contacted = f.contacted + excluded.contacted, booked = f.booked + excluded.booked,
                        showed = f.showed + excluded.showed, won = f.won + excluded.won, lost = f.lost + excluded.lost,
                        rerouted = f.rerouted + excluded.rerouted, revenue = f.revenue + excluded.revenue
                    RETURNING speed, wait
                    """
            )
            upsert.binds.append(index)
            upsert.binds.append(attempt.locationID)
            upsert.binds.append(attempt.source)
            for value in [
                counts.delivered, counts.attempted, counts.contacted, counts.booked, counts.showed, counts.won,
                counts.lost, counts.rerouted,
            ] {
                upsert.binds.append(value)
            }
            upsert.binds.append(counts.revenue)
            let stored = try await db.rows(upsert).first
            guard change.changesHistograms else { continue }
            var update = PostgresQuery(
                unsafeSQL:
                    "UPDATE \(table) SET speed = $1, wait = $2 WHERE \(period) = $3 AND location_id = $4 AND source = $5"
            )
            update.binds.append(ByteBuffer(bytes: FunnelChange.apply(change.speed, to: try stored?.bytes("speed"))))
            update.binds.append(ByteBuffer(bytes: FunnelChange.apply(change.wait, to: try stored?.bytes("wait"))))
            update.binds.append(index)
            update.binds.append(attempt.locationID)
            update.binds.append(attempt.source)
            try await db.rows(update)
        }
    }

    /// Builds the funnel aggregates afresh from the attempts (after a change to how they are kept).
    static func rebuildFunnel(in db: Transaction) async throws {
        try await db.rows("DELETE FROM funnel_daily")
        try await db.rows("DELETE FROM funnel_monthly")
        for attempt in try await db.rows("SELECT * FROM attempts").map({ try $0.attemptRecord() }) {
            try await addToFunnel(FunnelChange(from: nil, to: FunnelContribution(attempt)), of: attempt, in: db)
        }
    }

    public func setSLA(_ change: SLAChange, at date: Date) async throws {
        try await transaction { db in
            guard
                let attempt = try await db.rows(
                    """
                    SELECT * FROM attempts WHERE lead_id = \(change.leadID) AND attempt_no = \(change.attempt)
                    FOR UPDATE
                    """
                ).first.map({ try $0.attemptRecord() })
            else { throw StoreError.notFound("no attempt \(change.attempt) of lead '\(change.leadID)'") }
            var progress = attempt.progress
            progress.reroutedAway = progress.reroutedAway || change.reroutedAway
            let text = try AttemptProgress.storedText(progress)
            try await db.rows(
                """
                UPDATE attempts SET sla_state = \(change.state), sla_due_at = \(change.dueAt?.timeIntervalSince1970),
                    progress = \(text)
                WHERE lead_id = \(change.leadID) AND attempt_no = \(change.attempt)
                """
            )
            var changed = attempt
            changed.progress = progress
            try await Self.addToFunnel(
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
        try await rows(
            """
            UPDATE attempts SET reconciled_at = \(date.timeIntervalSince1970)
            WHERE (lead_id, attempt_no) IN (
                SELECT lead_id, attempt_no FROM attempts
                WHERE delivered_at >= \(deliveredSince.timeIntervalSince1970)
                    AND coalesce(reconciled_at, 0) < \(before.timeIntervalSince1970)
                ORDER BY coalesce(reconciled_at, 0), delivered_at LIMIT \(limit)
                FOR UPDATE SKIP LOCKED)
            RETURNING *
            """
        ).map { try $0.attemptRecord() }
    }

    public func flagForReview(leadID: String, reason: String, followUp: [NewJob], at date: Date) async throws {
        try await transaction { db in
            let updated = try await db.rows(
                "UPDATE leads SET status = 'review', review_reason = \(reason) WHERE id = \(leadID) RETURNING id"
            )
            guard !updated.isEmpty else { throw StoreError.notFound("no lead '\(leadID)'") }
            try await Self.insert(followUp, at: date, in: db)
        }
    }

    public func attempts(ofLead leadID: String) async throws -> [AttemptRecord] {
        try await rows("SELECT * FROM attempts WHERE lead_id = \(leadID) ORDER BY attempt_no").map {
            try $0.attemptRecord()
        }
    }

    public func timeline(ofLead leadID: String) async throws -> [TimelineEntry] {
        try await rows(
            """
            SELECT * FROM ghl_events WHERE lead_id = \(leadID) AND note_kind IS NOT NULL
            ORDER BY occurred_at, received_at, webhook_id
            """
        ).map { try $0.timelineEntry() }
    }

    public func appInstallations() async throws -> [String: AppInstallation] {
        var found: [String: AppInstallation] = [:]
        for row in try await rows("SELECT * FROM ghl_installations") {
            guard let id = try row.string("ghl_location_id"), let at = try row.double("changed_at") else { continue }
            found[id] = AppInstallation(
                installed: try row.bool("installed") ?? false,
                changedAt: Date(timeIntervalSince1970: at)
            )
        }
        return found
    }

    public func funnel(by grouping: FunnelGrouping, since: Date?, until: Date?) async throws -> [FunnelRow] {
        let window = FunnelPeriods.window(since: since, until: until)
        let key = grouping == .location ? "location_id" : "source"
        let columns =
            "\(key) AS key, delivered, attempted, contacted, booked, showed, won, lost, rerouted, revenue, speed, wait"
        var parts: [(sql: String, range: ClosedRange<Int>)] = []
        if let months = window.months {
            parts.append(("SELECT \(columns) FROM funnel_monthly WHERE month BETWEEN $1 AND $2", months))
        }
        for days in window.days {
            parts.append(("SELECT \(columns) FROM funnel_daily WHERE day BETWEEN $1 AND $2", days))
        }
        var totals = FunnelTotals()
        for part in parts {
            var query = PostgresQuery(unsafeSQL: part.sql)
            query.binds.append(part.range.lowerBound)
            query.binds.append(part.range.upperBound)
            for row in try await rows(query) {
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
