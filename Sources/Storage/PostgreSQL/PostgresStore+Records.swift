import Foundation
import PostgresNIO

extension PostgresStore: DeliveryStore {
    public func delivery(ofLead leadID: String) async throws -> DeliveryRecord? {
        try await rows("SELECT * FROM deliveries WHERE lead_id = \(leadID)").first.map { try $0.deliveryRecord() }
    }

    public func saveDelivery(_ record: DeliveryRecord) async throws {
        try await transaction { db in try await Self.save(record, in: db) }
    }

    static func save(_ record: DeliveryRecord) -> PostgresQuery {
        """
        INSERT INTO deliveries (lead_id, ghl_location_id, state, contact_id, opportunity_id, detail, updated_at)
        VALUES (\(record.leadID), \(record.ghlLocationID), \(record.state.rawValue), \(record.contactID),
            \(record.opportunityID), \(record.detail), \(record.updatedAt.timeIntervalSince1970))
        ON CONFLICT (lead_id) DO UPDATE SET ghl_location_id = excluded.ghl_location_id, state = excluded.state,
            contact_id = excluded.contact_id, opportunity_id = excluded.opportunity_id, detail = excluded.detail,
            updated_at = excluded.updated_at
        """
    }
}

extension PostgresStore: RolloutStore {
    public func rolloutRecords() async throws -> [String: RolloutRecord] {
        let decoder = JSONDecoder()
        var records: [String: RolloutRecord] = [:]
        for row in try await rows("SELECT record FROM rollout") {
            let record = try decoder.decode(RolloutRecord.self, from: Data(try row["record"].decode(String.self).utf8))
            records[record.locationID] = record
        }
        return records
    }

    public func saveRolloutRecord(_ record: RolloutRecord) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(record), as: UTF8.self)
        try await rows(
            """
            INSERT INTO rollout (location_id, record, updated_at)
            VALUES (\(record.locationID), \(text), \(record.updatedAt.timeIntervalSince1970))
            ON CONFLICT (location_id) DO UPDATE SET record = excluded.record, updated_at = excluded.updated_at
            """
        )
    }
}
