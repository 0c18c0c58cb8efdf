public import Foundation
public import LeadRouting
import PostgresNIO
import Synchronization

extension PostgresStore: LeadStore {
    public func accept(_ intakes: [Intake]) async throws -> [IntakeResult] {
        guard !intakes.isEmpty else { return [] }
        let waiting = intakesInFlight.add(intakes.count, ordering: .relaxed).newValue
        defer { intakesInFlight.subtract(intakes.count, ordering: .relaxed) }
        guard waiting <= maximumWaitingIntakes else {
            throw StoreError.unavailable("\(waiting) leads are waiting for the database")
        }
        return try await transaction { db in
            var results: [IntakeResult] = []
            results.reserveCapacity(intakes.count)
            for intake in intakes { results.append(try await Self.accept(intake, in: db)) }
            return results
        }
    }

    /// Stores one lead with its routing job. The de-duplication keys are inserted first with `ON CONFLICT DO
    /// NOTHING`: of two instances given the same webhook at once, one stores it and the other waits for that
    /// commit and finds it — never check-then-insert, which lets both pass the check.
    private static func accept(_ intake: Intake, in db: Transaction) async throws -> IntakeResult {
        let record = intake.record
        let now = record.lead.arrivedAt.timeIntervalSince1970
        if let webhookID = intake.webhookID {
            let inserted = try await db.rows(
                """
                INSERT INTO seen_webhooks (webhook_id, lead_id, received_at) VALUES (\(webhookID), \(record.id), \(now))
                ON CONFLICT (webhook_id) DO NOTHING RETURNING webhook_id
                """
            )
            if inserted.isEmpty {
                let seen = try await db.rows("SELECT lead_id FROM seen_webhooks WHERE webhook_id = \(webhookID)")
                return .duplicate(leadID: try seen.first?["lead_id"].decode(String?.self))
            }
        }
        if let idempotency = intake.idempotency {
            let inserted = try await db.rows(
                """
                INSERT INTO idempotency_keys (key, request_digest, lead_id, created_at)
                VALUES (\(idempotency.key), \(idempotency.requestDigest), \(record.id), \(now))
                ON CONFLICT (key) DO NOTHING RETURNING key
                """
            )
            if inserted.isEmpty {
                let seen = try await db.rows(
                    "SELECT request_digest, lead_id FROM idempotency_keys WHERE key = \(idempotency.key)"
                )
                let leadID = try seen.first?["lead_id"].decode(String?.self)
                let digest = try seen.first?["request_digest"].decode(String.self)
                return digest == idempotency.requestDigest ? .duplicate(leadID: leadID) : .keyReused(leadID: leadID)
            }
        }
        let lead = record.lead
        let status = (record.intakeProblem == nil ? LeadRecord.Status.received : .review).rawValue
        // A lead that could not be taken as sent waits for a person in the review queue; it is not routed.
        let routeJob =
            record.intakeProblem == nil
            ? """
            , job AS (INSERT INTO jobs (kind, lead_id, status, attempts, run_at, created_at, updated_at)
                SELECT 'route', id, 'queued', 0, received_at, received_at, received_at FROM lead)
            """ : ""
        try await db.rows(
            """
            WITH lead AS (
                INSERT INTO leads (id, channel, received_at, first_name, last_name, email, phone, email_key,
                    phone_key, postal_code, latitude, longitude, score, source, ghl_contact_id,
                    ghl_origin_location_id, status, intake_field, intake_problem, raw_body)
                VALUES (\(record.id), \(record.channel), \(now), \(record.firstName), \(record.lastName),
                    \(lead.email), \(lead.phone), \(lead.email.flatMap(ContactKey.init(email:))?.storedText),
                    \(lead.phone.flatMap(ContactKey.init(phone:))?.storedText), \(lead.postalCode),
                    \(lead.coordinate?.latitude), \(lead.coordinate?.longitude), \(lead.score), \(lead.source),
                    \(record.origin?.contactID), \(record.origin?.locationID), \(status),
                    \(record.intakeProblem?.field), \(record.intakeProblem?.detail), \(record.intakeProblem?.rawBody))
                RETURNING id, received_at)\(unescaped: routeJob)
            SELECT 1
            """
        )
        return .stored(leadID: record.id)
    }

    public func lead(id: String) async throws -> LeadRecord? {
        try await rows("SELECT * FROM leads WHERE id = \(id)").first.map { try $0.leadRecord() }
    }

    public func leads(ids: [String]) async throws -> [String: LeadRecord] {
        guard !ids.isEmpty else { return [:] }
        var result: [String: LeadRecord] = [:]
        for row in try await rows("SELECT * FROM leads WHERE id = ANY(\(ids))") {
            let record = try row.leadRecord()
            result[record.id] = record
        }
        return result
    }

    public func leads(matching query: LeadQuery) async throws -> LeadPage {
        var clauses: [String] = []
        var binds = PostgresBindings()
        func bind(_ value: some PostgresDynamicTypeEncodable) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        if let outcome = query.outcome { clauses.append("outcome = \(bind(outcome.rawValue))") }
        if let status = query.status { clauses.append("status = \(bind(status.rawValue))") }
        if let locationID = query.locationID { clauses.append("location_id = \(bind(locationID))") }
        if let since = query.since { clauses.append("received_at >= \(bind(since.timeIntervalSince1970))") }
        if let until = query.until { clauses.append("received_at < \(bind(until.timeIntervalSince1970))") }
        if let after = query.after {
            let seconds = bind(after.receivedAt.timeIntervalSince1970)
            clauses.append("(received_at < \(seconds) OR (received_at = \(seconds) AND id < \(bind(after.leadID))))")
        }
        let filter = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let limit = max(1, query.limit)
        let sql = "SELECT * FROM leads \(filter) ORDER BY received_at DESC, id DESC LIMIT \(bind(limit + 1))"
        var leads = try await rows(PostgresQuery(unsafeSQL: sql, binds: binds)).map { try $0.leadRecord() }
        var next: LeadCursor?
        if leads.count > limit {
            leads.removeLast()
            next = leads.last.map { LeadCursor(receivedAt: $0.lead.arrivedAt, leadID: $0.id) }
        }
        return LeadPage(leads: leads, next: next)
    }

    public func recentAssignments(for keys: [ContactKey], since: Date) async throws -> RoutingHistory {
        guard !keys.isEmpty else { return RoutingHistory() }
        let emails = keys.filter { if case .email = $0 { true } else { false } }.map(\.storedText)
        let phones = keys.filter { if case .phone = $0 { true } else { false } }.map(\.storedText)
        let seconds = since.timeIntervalSince1970
        // The latest assignment per key, in one round trip.
        let rows = try await rows(
            """
            SELECT DISTINCT ON (kind, key) kind, key, location_id, received_at FROM (
                SELECT 'email' AS kind, email_key AS key, location_id, received_at FROM leads
                WHERE email_key = ANY(\(emails)) AND status = 'assigned' AND received_at >= \(seconds)
                UNION ALL
                SELECT 'phone', phone_key, location_id, received_at FROM leads
                WHERE phone_key = ANY(\(phones)) AND status = 'assigned' AND received_at >= \(seconds)
            ) assignments
            ORDER BY kind, key, received_at DESC
            """
        )
        var history = RoutingHistory()
        for row in rows {
            guard let locationID = try row["location_id"].decode(String?.self) else { continue }
            let text = try row["key"].decode(String.self)
            let key: ContactKey = try row["kind"].decode(String.self) == "email" ? .email(text) : .phone(text)
            history.record(
                key,
                RoutingHistory.Assignment(
                    locationID: locationID,
                    at: Date(timeIntervalSince1970: try row["received_at"].decode(Double.self))
                )
            )
        }
        return history
    }
}
