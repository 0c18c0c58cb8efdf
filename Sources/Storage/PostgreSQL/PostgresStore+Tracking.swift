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
        let update = AttemptUpdate(
            from: attempt.progress,
            oldSpeed: attempt.speedSeconds,
            to: progress,
            deliveredAt: attempt.deliveredAt,
            clock: { clocks.clock(of: attempt.locationID) { _ in location } }
        )
        let text = try AttemptProgress.storedText(update.progress)
        try await db.rows(
            """
            UPDATE attempts SET progress = \(text), speed_seconds = \(update.speedSeconds)
            WHERE lead_id = \(attempt.leadID) AND attempt_no = \(attempt.number)
            """
        )
        try await addToFunnel(
            counts: update.counts,
            speedBinRemoved: update.speedBinRemoved,
            speedBinAdded: update.speedBinAdded,
            of: attempt,
            in: db
        )
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
        var delivered = FunnelCounts()
        delivered.delivered = 1
        try await addToFunnel(counts: delivered, speedBinRemoved: nil, speedBinAdded: nil, of: attempt, in: db)
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

    private static func addToFunnel(
        counts: FunnelCounts,
        speedBinRemoved: Int?,
        speedBinAdded: Int?,
        of attempt: AttemptRecord,
        in db: Transaction
    ) async throws {
        let day = funnelDay(attempt.deliveredAt)
        if !counts.isZero {
            try await db.rows(
                """
                INSERT INTO funnel_daily (day, location_id, source, delivered, attempted, contacted, booked, showed,
                    won, lost, rerouted, revenue)
                VALUES (\(day), \(attempt.locationID), \(attempt.source), \(counts.delivered), \(counts.attempted),
                    \(counts.contacted), \(counts.booked), \(counts.showed), \(counts.won), \(counts.lost),
                    \(counts.rerouted), \(counts.revenue))
                ON CONFLICT (day, location_id, source) DO UPDATE SET
                    delivered = funnel_daily.delivered + excluded.delivered,
                    attempted = funnel_daily.attempted + excluded.attempted,
                    contacted = funnel_daily.contacted + excluded.contacted,
                    booked = funnel_daily.booked + excluded.booked, showed = funnel_daily.showed + excluded.showed,
                    won = funnel_daily.won + excluded.won, lost = funnel_daily.lost + excluded.lost,
                    rerouted = funnel_daily.rerouted + excluded.rerouted,
                    revenue = funnel_daily.revenue + excluded.revenue
                """
            )
        }
        for (bin, change) in [(speedBinRemoved, -1), (speedBinAdded, 1)] {
            guard let bin else { continue }
            try await db.rows(
                """
                INSERT INTO speed_daily (day, location_id, source, bin, leads)
                VALUES (\(day), \(attempt.locationID), \(attempt.source), \(bin), \(change))
                ON CONFLICT (day, location_id, source, bin) DO UPDATE SET leads = speed_daily.leads + excluded.leads
                """
            )
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
            let counts = FunnelCounts(progress: progress) - FunnelCounts(progress: attempt.progress)
            try await Self.addToFunnel(counts: counts, speedBinRemoved: nil, speedBinAdded: nil, of: attempt, in: db)
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

    public func funnel(by grouping: FunnelGrouping, since: Date?, until: Date?) async throws -> [FunnelRow] {
        let (first, last) = funnelDays(since: since, until: until)
        let key = grouping == .location ? "location_id" : "source"
        var query = PostgresQuery(
            unsafeSQL: """
                -- sum() of BIGINT is NUMERIC in PostgreSQL: cast back.
                SELECT \(key) AS key, sum(delivered)::BIGINT AS delivered,
                    sum(attempted)::BIGINT AS attempted, sum(contacted)::BIGINT AS contacted,
                    sum(booked)::BIGINT AS booked, sum(showed)::BIGINT AS showed, sum(won)::BIGINT AS won,
                    sum(lost)::BIGINT AS lost, sum(rerouted)::BIGINT AS rerouted, sum(revenue) AS revenue
                FROM funnel_daily WHERE day BETWEEN $1 AND $2 GROUP BY \(key) ORDER BY \(key)
                """
        )
        query.binds.append(first)
        query.binds.append(last)
        var funnel = try await rows(query).map { try $0.funnelRow() }
        var binsQuery = PostgresQuery(
            unsafeSQL: """
                SELECT \(key) AS key, bin, sum(leads)::BIGINT AS leads FROM speed_daily WHERE day BETWEEN $1 AND $2
                GROUP BY \(key), bin
                """
        )
        binsQuery.binds.append(first)
        binsQuery.binds.append(last)
        funnel.addSpeedBins(
            try await rows(binsQuery).map { row in
                (try row.string("key") ?? "", try row.int("bin") ?? 0, try row.int("leads") ?? 0)
            }
        )
        return funnel
    }
}
