import Foundation
import GRDB

extension SQLiteStore: RolloutStore {
    public func rolloutRecords() async throws -> [String: RolloutRecord] {
        try await read { db in
            let decoder = JSONDecoder()
            var records: [String: RolloutRecord] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT record FROM rollout") {
                let text: String = row["record"]
                let record = try decoder.decode(RolloutRecord.self, from: Data(text.utf8))
                records[record.locationID] = record
            }
            return records
        }
    }

    public func saveRolloutRecord(_ record: RolloutRecord) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(record), as: UTF8.self)
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO rollout (location_id, record, updated_at) VALUES (?, ?, ?)
                    ON CONFLICT (location_id) DO UPDATE SET record = excluded.record, updated_at = excluded.updated_at
                    """,
                arguments: [record.locationID, text, record.updatedAt.timeIntervalSince1970]
            )
        }
    }
}
