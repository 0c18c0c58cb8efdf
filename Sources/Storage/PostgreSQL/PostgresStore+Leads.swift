public import Foundation
public import LeadRouting
import PostgresNIO

extension PostgresStore: LeadStore {
    public func accept(_ intakes: [Intake]) async throws -> [IntakeResult] {
        try await intakeBatcher.submit(intakes)
    }

    /// Stores a batch of leads with their routing jobs in one transaction: a handful of statements per batch,
    /// whatever its size. The de-duplication keys are inserted first with `ON CONFLICT DO NOTHING` (of two
    /// instances given the same webhook at once, one stores it and the other waits for that commit and finds it —
    /// never check-then-insert, which lets both pass the check); within the batch the first of two equal keys wins.
    func acceptBatch(_ intakes: [Intake]) async throws -> [IntakeResult] {
        try await transaction { db in
            var results = [IntakeResult?](repeating: nil, count: intakes.count)
            try await Self.claimWebhookIDs(of: intakes, results: &results, in: db)
            try await Self.claimIdempotencyKeys(of: intakes, results: &results, in: db)
            let stored = intakes.indices.filter { results[$0] == nil }.map { intakes[$0].record }
            try await Self.insert(stored, in: db)
            for index in intakes.indices where results[index] == nil {
                results[index] = .stored(leadID: intakes[index].record.id)
            }
            return results.map { $0! }
        }
    }

    /// Inserts the batch's webhook ids; an intake whose id was seen before (or earlier in the batch) gets its
    /// `duplicate` result.
    private static func claimWebhookIDs(
        of intakes: [Intake],
        results: inout [IntakeResult?],
        in db: Transaction
    ) async throws {
        let indices = intakes.indices.filter { intakes[$0].webhookID != nil }
        guard !indices.isEmpty else { return }
        let ids = indices.map { intakes[$0].webhookID! }
        var winners: [String: String] = [:]
        for row in try await db.rows(
            """
            INSERT INTO seen_webhooks (webhook_id, lead_id, received_at)
            SELECT * FROM unnest(\(ids), \(indices.map { intakes[$0].record.id }),
                \(indices.map { intakes[$0].record.lead.arrivedAt.timeIntervalSince1970 }))
            ON CONFLICT (webhook_id) DO NOTHING
            RETURNING webhook_id, lead_id
            """
        ) {
            winners[try row["webhook_id"].decode(String.self)] = try row["lead_id"].decode(String?.self)
        }
        let earlier = Set(ids).subtracting(winners.keys)
        var seen: [String: String?] = [:]
        if !earlier.isEmpty {
            for row in try await db.rows(
                "SELECT webhook_id, lead_id FROM seen_webhooks WHERE webhook_id = ANY(\(Array(earlier)))"
            ) {
                seen[try row["webhook_id"].decode(String.self)] = try row["lead_id"].decode(String?.self)
            }
        }
        for (index, id) in zip(indices, ids) {
            if let winner = winners[id] {
                if winner != intakes[index].record.id { results[index] = .duplicate(leadID: winner) }
            } else {
                results[index] = .duplicate(leadID: seen[id] ?? nil)
            }
        }
    }

    /// Inserts the batch's idempotency keys (of intakes not already answered); a key used before answers
    /// `duplicate` when the request was the same, `keyReused` when it was not.
    private static func claimIdempotencyKeys(
        of intakes: [Intake],
        results: inout [IntakeResult?],
        in db: Transaction
    ) async throws {
        let indices = intakes.indices.filter { results[$0] == nil && intakes[$0].idempotency != nil }
        guard !indices.isEmpty else { return }
        let keys = indices.map { intakes[$0].idempotency! }
        var winners: [String: String] = [:]
        for row in try await db.rows(
            """
            INSERT INTO idempotency_keys (key, request_digest, lead_id, created_at)
            SELECT * FROM unnest(\(keys.map(\.key)), \(keys.map(\.requestDigest)),
                \(indices.map { intakes[$0].record.id }),
                \(indices.map { intakes[$0].record.lead.arrivedAt.timeIntervalSince1970 }))
            ON CONFLICT (key) DO NOTHING
            RETURNING key, lead_id
            """
        ) {
            winners[try row["key"].decode(String.self)] = try row["lead_id"].decode(String?.self)
        }
        var seen: [String: (digest: String, leadID: String?)] = [:]
        let earlier = Set(keys.map(\.key)).subtracting(winners.keys)
        let inBatch = Set(keys.map(\.key)).intersection(winners.keys)
        if !earlier.isEmpty || !inBatch.isEmpty {
            for row in try await db.rows(
                """
                SELECT key, request_digest, lead_id FROM idempotency_keys
                WHERE key = ANY(\(Array(earlier.union(inBatch))))
                """
            ) {
                seen[try row["key"].decode(String.self)] = (
                    try row["request_digest"].decode(String.self), try row["lead_id"].decode(String?.self)
                )
            }
        }
        for (index, key) in zip(indices, keys) {
            if winners[key.key] == intakes[index].record.id { continue }
            let earlier = seen[key.key]
            results[index] =
                earlier?.digest == key.requestDigest
                ? .duplicate(leadID: earlier?.leadID ?? nil) : .keyReused(leadID: earlier?.leadID ?? nil)
        }
    }

    /// Inserts leads (one multi-row insert: their nullable columns cannot travel as arrays) and the routing jobs of
    /// those taken as sent; a lead that could not be waits for a person in the review queue and is not routed.
    private static func insert(_ records: [LeadRecord], in db: Transaction) async throws {
        guard !records.isEmpty else { return }
        var binds = PostgresBindings(capacity: records.count * 20)
        var rows: [String] = []
        for record in records {
            let lead = record.lead
            let first = binds.count + 1
            binds.append(record.id)
            binds.append(record.channel)
            binds.append(lead.arrivedAt.timeIntervalSince1970)
            binds.append(record.firstName)
            binds.append(record.lastName)
            binds.append(lead.email)
            binds.append(lead.phone)
            binds.append(lead.email.flatMap(ContactKey.init(email:))?.storedText)
            binds.append(lead.phone.flatMap(ContactKey.init(phone:))?.storedText)
            binds.append(lead.postalCode)
            binds.append(lead.coordinate?.latitude)
            binds.append(lead.coordinate?.longitude)
            binds.append(lead.score)
            binds.append(lead.source)
            binds.append(record.origin?.contactID)
            binds.append(record.origin?.locationID)
            binds.append((record.intakeProblem == nil ? LeadRecord.Status.received : .review).rawValue)
            binds.append(record.intakeProblem?.field)
            binds.append(record.intakeProblem?.detail)
            binds.append(record.intakeProblem?.rawBody)
            rows.append("(" + (first..<first + 20).map { "$\($0)" }.joined(separator: ", ") + ")")
        }
        try await db.rows(
            PostgresQuery(
                unsafeSQL: """
                    INSERT INTO leads (id, channel, received_at, first_name, last_name, email, phone, email_key,
                        phone_key, postal_code, latitude, longitude, score, source, ghl_contact_id,
                        ghl_origin_location_id, status, intake_field, intake_problem, raw_body)
                    VALUES \(rows.joined(separator: ", "))
                    """,
                binds: binds
            )
        )
        let routable = records.filter { $0.intakeProblem == nil }
        guard !routable.isEmpty else { return }
        try await db.rows(
            """
            INSERT INTO jobs (kind, lead_id, status, attempts, run_at, created_at, updated_at)
            SELECT 'route', id, 'queued', 0, at, at, at
            FROM unnest(\(routable.map(\.id)), \(routable.map { $0.lead.arrivedAt.timeIntervalSince1970 })) AS new (id, at)
            """
        )
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
