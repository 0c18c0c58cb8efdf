import Foundation
import GRDB
import LeadTracking

extension SQLiteStore: DeliveryStore {
    public func delivery(ofLead leadID: String) async throws -> DeliveryRecord? {
        try await read { db in
            try Self.firstRow(
                of: try db.cachedStatement(sql: "SELECT * FROM deliveries WHERE lead_id = ?"),
                arguments: [leadID],
                as: { try $0.deliveryRecord() }
            )
        }
    }

    public func saveDelivery(_ record: DeliveryRecord) async throws {
        try await write { db in try Self.save(record, in: db) }
    }

    static func save(_ record: DeliveryRecord, in db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO deliveries (lead_id, ghl_location_id, state, contact_id, opportunity_id, detail, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (lead_id) DO UPDATE SET ghl_location_id = excluded.ghl_location_id,
                    state = excluded.state, contact_id = excluded.contact_id,
                    opportunity_id = excluded.opportunity_id, detail = excluded.detail,
                    updated_at = excluded.updated_at
                """
        ).execute(arguments: [
            record.leadID, record.ghlLocationID, record.state.rawValue, record.contactID, record.opportunityID,
            record.detail, record.updatedAt.timeIntervalSince1970,
        ])
        try startAttempt(for: record, in: db)
    }
}
