public import Foundation
import GRDB
public import LeadRouting

extension SQLiteStore: LeadStore {
    public func accept(_ intakes: [Intake]) async throws -> [IntakeResult] {
        try await intakeCommits.submit(intakes)
    }

    static func intakeCommits(on writer: any DatabaseWriter) -> GroupCommit<Intake, IntakeResult> {
        GroupCommit(writer: writer, of: "leads") { db, intakes in try intakes.map { try accept($0, in: db) } }
    }

    private static func accept(_ intake: Intake, in db: Database) throws -> IntakeResult {
        let record = intake.record
        let now = record.lead.arrivedAt.timeIntervalSince1970
        if let webhookID = intake.webhookID {
            if let seen = try Row.fetchOne(
                try db.cachedStatement(sql: "SELECT lead_id FROM seen_webhooks WHERE webhook_id = ?"),
                arguments: [webhookID]
            ) {
                return .duplicate(leadID: seen["lead_id"])
            }
            try db.cachedStatement(sql: "INSERT INTO seen_webhooks (webhook_id, lead_id, received_at) VALUES (?, ?, ?)")
                .execute(
                    arguments: [webhookID, record.id, now]
                )
        }
        if let idempotency = intake.idempotency {
            if let seen = try Row.fetchOne(
                try db.cachedStatement(sql: "SELECT request_digest, lead_id FROM idempotency_keys WHERE key = ?"),
                arguments: [idempotency.key]
            ) {
                let digest: String = seen["request_digest"]
                return digest == idempotency.requestDigest
                    ? .duplicate(leadID: seen["lead_id"]) : .keyReused(leadID: seen["lead_id"])
            }
            try db.cachedStatement(
                sql: "INSERT INTO idempotency_keys (key, request_digest, lead_id, created_at) VALUES (?, ?, ?, ?)"
            ).execute(
                arguments: [idempotency.key, idempotency.requestDigest, record.id, now]
            )
        }
        let lead = record.lead
        try db.cachedStatement(
            sql: """
                INSERT INTO leads (id, channel, received_at, first_name, last_name, email, phone, email_key,
                    phone_key, postal_code, latitude, longitude, score, source, ghl_contact_id,
                    ghl_origin_location_id, status, intake_field, intake_problem, raw_body)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                record.id, record.channel, now, record.firstName, record.lastName, lead.email, lead.phone,
                lead.email.flatMap(ContactKey.init(email:)).map(\.storedText),
                lead.phone.flatMap(ContactKey.init(phone:)).map(\.storedText), lead.postalCode,
                lead.coordinate?.latitude, lead.coordinate?.longitude, lead.score, lead.source,
                record.origin?.contactID, record.origin?.locationID,
                (record.intakeProblem == nil ? LeadRecord.Status.received : .review).rawValue,
                record.intakeProblem?.field, record.intakeProblem?.detail, record.intakeProblem?.rawBody,
            ]
        )
        // A lead that could not be taken as sent waits for a person in the review queue; it is not routed.
        guard record.intakeProblem == nil else { return .stored(leadID: record.id) }
        try db.cachedStatement(
            sql: """
                INSERT INTO jobs (kind, lead_id, status, attempts, run_at, created_at, updated_at)
                VALUES (?, ?, 'queued', 0, ?, ?, ?)
                """
        ).execute(
            arguments: [Job.Kind.route.rawValue, record.id, now, now, now]
        )
        return .stored(leadID: record.id)
    }

    public func lead(id: String) async throws -> LeadRecord? {
        try await read { db in
            try Self.firstRow(
                of: try db.cachedStatement(sql: "SELECT * FROM leads WHERE id = ?"),
                arguments: [id],
                as: { try $0.leadRecord() }
            )
        }
    }

    public func leads(ids: [String]) async throws -> [String: LeadRecord] {
        guard !ids.isEmpty else { return [:] }
        return try await read { db in
            var result: [String: LeadRecord] = [:]
            // In chunks, well below SQLite's limit on parameters.
            for start in stride(from: 0, to: ids.count, by: 500) {
                let chunk = Array(ids[start..<min(start + 500, ids.count)])
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                for record in try Self.rows(
                    of: try db.makeStatement(sql: "SELECT * FROM leads WHERE id IN (\(marks))"),
                    arguments: StatementArguments(chunk),
                    as: { try $0.leadRecord() }
                ) {
                    result[record.id] = record
                }
            }
            return result
        }
    }

    public func leads(matching query: LeadQuery) async throws -> LeadPage {
        var clauses: [String] = []
        var arguments = StatementArguments()
        if let outcome = query.outcome {
            clauses.append("outcome = ?")
            arguments += [outcome.rawValue]
        }
        if let status = query.status {
            clauses.append("status = ?")
            arguments += [status.rawValue]
        }
        if let locationID = query.locationID {
            clauses.append("location_id = ?")
            arguments += [locationID]
        }
        if let since = query.since {
            clauses.append("received_at >= ?")
            arguments += [since.timeIntervalSince1970]
        }
        if let until = query.until {
            clauses.append("received_at < ?")
            arguments += [until.timeIntervalSince1970]
        }
        if let after = query.after {
            clauses.append("(received_at < ? OR (received_at = ? AND id < ?))")
            let seconds = after.receivedAt.timeIntervalSince1970
            arguments += [seconds, seconds, after.leadID]
        }
        let filter = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let limit = max(1, query.limit)
        arguments += [limit + 1]
        let sql = "SELECT * FROM leads \(filter) ORDER BY received_at DESC, id DESC LIMIT ?"
        let finalArguments = arguments
        return try await read { db in
            var leads = try Self.rows(
                of: try db.cachedStatement(sql: sql),
                arguments: finalArguments,
                as: { try $0.leadRecord() }
            )
            var next: LeadCursor?
            if leads.count > limit {
                leads.removeLast()
                next = leads.last.map { LeadCursor(receivedAt: $0.lead.arrivedAt, leadID: $0.id) }
            }
            return LeadPage(leads: leads, next: next)
        }
    }

    public func recentAssignments(for keys: [ContactKey], since: Date) async throws -> RoutingHistory {
        guard !keys.isEmpty else { return RoutingHistory() }
        return try await read { db in
            var history = RoutingHistory()
            for key in keys {
                let column = key.storedColumn
                let latest = try Self.firstRow(
                    of: try db.cachedStatement(
                        sql: """
                            SELECT location_id, received_at FROM leads
                            WHERE \(column) = ? AND status = 'assigned' AND received_at >= ?
                            ORDER BY received_at DESC LIMIT 1
                            """
                    ),
                    arguments: [key.storedText, since.timeIntervalSince1970],
                    as: { row -> RoutingHistory.Assignment? in
                        guard let locationID: String = row["location_id"] else { return nil }
                        return RoutingHistory.Assignment(
                            locationID: locationID,
                            at: Date(timeIntervalSince1970: row["received_at"])
                        )
                    }
                )
                if let assignment = latest ?? nil { history.record(key, assignment) }
            }
            return history
        }
    }

}
