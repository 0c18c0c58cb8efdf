import Foundation
import GRDB
import LeadRouting

extension SQLiteStore: LocationStore {
    public func allLocations() async throws -> [StoredLocation] {
        try await read { db in
            try Self.rows(
                of: try db.makeStatement(sql: "SELECT * FROM locations ORDER BY id"),
                as: { try $0.storedLocation() }
            )
        }
    }

    public func locationsVersion() async throws -> Int64 {
        try await read { db in try Int64.fetchOne(db, sql: "SELECT version FROM locations_version") ?? 0 }
    }

    public func location(id: String) async throws -> StoredLocation? {
        try await read { db in
            try Self.firstRow(
                of: try db.makeStatement(sql: "SELECT * FROM locations WHERE id = ?"),
                arguments: [id],
                as: { try $0.storedLocation() }
            )
        }
    }

    public func insertLocation(_ location: StoredLocation) async throws {
        try await write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM locations WHERE id = ?", arguments: [location.id]) != nil {
                throw StoreError.conflict("location '\(location.id)' already exists")
            }
            try Self.upsert(location, in: db)
        }
    }

    public func saveLocation(_ location: StoredLocation) async throws {
        try await write { db in try Self.upsert(location, in: db) }
    }

    public func saveLocations(_ locations: [StoredLocation]) async throws {
        try await write { db in
            for location in locations { try Self.upsert(location, in: db) }
        }
    }

    private static func upsert(_ stored: StoredLocation, in db: Database) throws {
        let location = stored.location
        try db.execute(
            sql: """
                INSERT INTO locations (id, name, postal_code, latitude, longitude, status, daily_capacity,
                    weekly_capacity, reserved_for_hot, radius_miles, priority, timezone, territory, hours,
                    ghl_location_id, updated_at, sla_minutes, sla_exempt)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET name = excluded.name, postal_code = excluded.postal_code,
                    latitude = excluded.latitude, longitude = excluded.longitude, status = excluded.status,
                    daily_capacity = excluded.daily_capacity, weekly_capacity = excluded.weekly_capacity,
                    reserved_for_hot = excluded.reserved_for_hot, radius_miles = excluded.radius_miles,
                    priority = excluded.priority, timezone = excluded.timezone, territory = excluded.territory,
                    hours = excluded.hours, ghl_location_id = excluded.ghl_location_id,
                    updated_at = excluded.updated_at, sla_minutes = excluded.sla_minutes,
                    sla_exempt = excluded.sla_exempt
                """,
            arguments: [
                location.id, location.name, location.postalCode?.text, location.coordinate?.latitude,
                location.coordinate?.longitude, location.status.rawValue, location.capacity.daily,
                location.capacity.weekly, location.capacity.reservedForHot, location.radiusMiles, location.priority,
                location.timeZoneIdentifier, location.territory.map(\.text).sorted().joined(separator: " "),
                location.businessHours?.description, stored.ghlLocationID, stored.updatedAt.timeIntervalSince1970,
                stored.slaMinutes, stored.slaExempt,
            ]
        )
    }
}
