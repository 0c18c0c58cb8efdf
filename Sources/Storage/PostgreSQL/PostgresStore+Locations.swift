import Foundation
import LeadRouting
import PostgresNIO

extension PostgresStore: LocationStore {
    public func allLocations() async throws -> [StoredLocation] {
        try await rows("SELECT * FROM locations ORDER BY id").map { try $0.storedLocation() }
    }

    public func locationsVersion() async throws -> Int64 {
        try await rows("SELECT version FROM locations_version").first.map { try $0["version"].decode(Int64.self) } ?? 0
    }

    public func location(id: String) async throws -> StoredLocation? {
        try await rows("SELECT * FROM locations WHERE id = \(id)").first.map { try $0.storedLocation() }
    }

    public func insertLocation(_ location: StoredLocation) async throws {
        try await transaction { db in
            // ON CONFLICT: two instances inserting the same id at once get one row and one conflict, never an
            // aborted transaction.
            let inserted = try await db.rows(Self.upsert(location, replacing: false))
            guard !inserted.isEmpty else { throw StoreError.conflict("location '\(location.id)' already exists") }
        }
    }

    public func saveLocation(_ location: StoredLocation) async throws {
        try await rows(Self.upsert(location, replacing: true))
    }

    public func saveLocations(_ locations: [StoredLocation]) async throws {
        guard !locations.isEmpty else { return }
        try await transaction { db in
            // In id order: two imports touching the same locations lock them in the same order.
            for location in locations.sorted(by: { $0.id < $1.id }) {
                try await db.rows(Self.upsert(location, replacing: true))
            }
        }
    }

    private static func upsert(_ stored: StoredLocation, replacing: Bool) -> PostgresQuery {
        let location = stored.location
        let conflict =
            replacing
            ? """
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, postal_code = excluded.postal_code,
                latitude = excluded.latitude, longitude = excluded.longitude, status = excluded.status,
                daily_capacity = excluded.daily_capacity, weekly_capacity = excluded.weekly_capacity,
                reserved_for_hot = excluded.reserved_for_hot, radius_miles = excluded.radius_miles,
                priority = excluded.priority, timezone = excluded.timezone, territory = excluded.territory,
                hours = excluded.hours, ghl_location_id = excluded.ghl_location_id, updated_at = excluded.updated_at,
                sla_minutes = excluded.sla_minutes, sla_exempt = excluded.sla_exempt
            """ : "ON CONFLICT (id) DO NOTHING"
        let territory = location.territory.map(\.text).sorted().joined(separator: " ")
        return """
            INSERT INTO locations (id, name, postal_code, latitude, longitude, status, daily_capacity,
                weekly_capacity, reserved_for_hot, radius_miles, priority, timezone, territory, hours,
                ghl_location_id, updated_at, sla_minutes, sla_exempt)
            VALUES (\(location.id), \(location.name), \(location.postalCode?.text), \(location.coordinate?.latitude),
                \(location.coordinate?.longitude), \(location.status.rawValue), \(location.capacity.daily),
                \(location.capacity.weekly), \(location.capacity.reservedForHot), \(location.radiusMiles),
                \(location.priority), \(location.timeZoneIdentifier), \(territory),
                \(location.businessHours?.description), \(stored.ghlLocationID),
                \(stored.updatedAt.timeIntervalSince1970), \(stored.slaMinutes), \(stored.slaExempt))
            \(unescaped: conflict)
            RETURNING id
            """
    }
}
