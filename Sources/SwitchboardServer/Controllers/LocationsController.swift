import Foundation
import Hummingbird
import LeadRouting
import Storage

/// `/v1/locations`: the franchise's locations (list, create, replace, change) and `/v1/capacity`.
struct LocationsController: Sendable {
    let store: any SwitchboardStore
    let router: LeadRouter
    let now: @Sendable () -> Date

    func addRoutes(to group: RouterGroup<BasicRequestContext>) {
        group.get("locations") { _, _ in
            let installations = try await store.appInstallations()
            let locations = try await store.allLocations().map {
                LocationResource($0, installations: installations)
            }
            return try LeadsController.json(.ok, ["locations": locations])
        }
        group.get("locations/:id") { _, context in
            let id = try context.parameters.require("id")
            guard let stored = try await store.location(id: id) else { throw Problem.notFound("no location '\(id)'") }
            return try LeadsController.json(
                .ok,
                LocationResource(stored, installations: try await store.appInstallations())
            )
        }
        group.post("locations") { request, _ in
            let input = try await Self.decode(LocationInput.self, request)
            let location = try input.location(at: now())
            try await checkRoutable(replacing: [location])
            try await store.insertLocation(location)
            try await router.reloadLocations()
            return try LeadsController.json(.created, LocationResource(location))
        }
        group.put("locations") { request, _ in
            let input = try await Self.decode(LocationList.self, request)
            let date = now()
            let locations = try input.locations.enumerated().map { index, item in
                try item.location(path: "locations[\(index)].", at: date)
            }
            var seen: [String: Int] = [:]
            for (index, location) in locations.enumerated() {
                if let first = seen.updateValue(index, forKey: location.id) {
                    // Each entry is well formed; together they name one location twice.
                    throw Problem(
                        "duplicate-location",
                        status: .unprocessableContent,
                        detail: "'\(location.id)' is also locations[\(first)]",
                        field: "locations[\(index)].id"
                    )
                }
            }
            try await checkRoutable(replacing: locations)
            try await store.saveLocations(locations)
            try await router.reloadLocations()
            return try LeadsController.json(.ok, ["locations": locations.map { LocationResource($0) }])
        }
        group.put("locations/:id") { request, context in
            let id = try context.parameters.require("id")
            let input = try await Self.decode(LocationInput.self, request)
            var location = try input.location(id: id, at: now())
            if let existing = try await store.location(id: id) {
                if location.ghlLocationID == nil { location.ghlLocationID = existing.ghlLocationID }
                if input.slaMinutes == nil { location.slaMinutes = existing.slaMinutes }
                if input.slaExempt == nil { location.slaExempt = existing.slaExempt }
            }
            try await checkRoutable(replacing: [location])
            try await store.saveLocation(location)
            try await router.reloadLocations()
            return try LeadsController.json(.ok, LocationResource(location))
        }
        group.patch("locations/:id") { request, context in
            let id = try context.parameters.require("id")
            let input = try await Self.decode(LocationInput.self, request)
            guard var stored = try await store.location(id: id) else { throw Problem.notFound("no location '\(id)'") }
            if let bodyID = input.id, bodyID != id { throw LocationInput.idMismatch(bodyID, id) }
            try input.apply(to: &stored.location)
            try input.applySLA(to: &stored)
            if let ghl = input.ghlLocationId { stored.ghlLocationID = ghl }
            stored.updatedAt = now()
            try await checkRoutable(replacing: [stored])
            try await store.saveLocation(stored)
            try await router.reloadLocations()
            return try LeadsController.json(.ok, LocationResource(stored))
        }
        group.get("capacity") { _, _ in try await capacity() }
    }

    private struct LocationList: Decodable {
        var locations: [LocationInput]
    }

    /// Refuses a change that routing could not use (e.g. a postal code with no known centroid and no coordinates).
    private func checkRoutable(replacing changed: [StoredLocation]) async throws {
        var all = Dictionary(uniqueKeysWithValues: try await store.allLocations().map { ($0.id, $0.location) })
        for location in changed { all[location.id] = location.location }
        do {
            try await router.validate(Array(all.values))
        } catch {
            throw Problem("unroutable-location", status: .unprocessableContent, detail: "\(error)")
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        try RequestBody.requireJSON(request)
        return try RequestBody.decode(T.self, from: try await RequestBody.bytes(of: request))
    }

    private struct Window: Encodable {
        var used: Int
        var limit: Int?
        var resetsAt: Date
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(used, forKey: .used)
            try container.encode(limit, forKey: .limit)
            try container.encode(resetsAt, forKey: .resetsAt)
        }
        private enum CodingKeys: String, CodingKey { case used, limit, resetsAt }
    }

    private struct CapacityEntry: Encodable {
        var locationId: String
        var name: String
        var status: String
        var timezone: String
        var reservedForHot: Int
        var day: Window
        var week: Window
    }

    private struct CapacityReport: Encodable {
        var asOf: Date
        var locations: [CapacityEntry]
    }

    private func capacity() async throws -> Response {
        let date = now()
        let current = try await router.currentUsage()
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let entries = current.compactMap { location, used -> CapacityEntry? in
            guard let offsets = UTCOffsets(identifier: location.timeZoneIdentifier) else { return nil }
            let windows = CapacityWindows(secondsSince1970: seconds, offsets: offsets)
            return CapacityEntry(
                locationId: location.id,
                name: location.name,
                status: location.status.rawValue,
                timezone: location.timeZoneIdentifier,
                reservedForHot: location.capacity.reservedForHot,
                day: Window(
                    used: used.today,
                    limit: location.capacity.daily,
                    resetsAt: Date(timeIntervalSince1970: Double(windows.dayResetsAt(offsets: offsets)))
                ),
                week: Window(
                    used: used.thisWeek,
                    limit: location.capacity.weekly,
                    resetsAt: Date(timeIntervalSince1970: Double(windows.weekResetsAt(offsets: offsets)))
                )
            )
        }
        return try LeadsController.json(.ok, CapacityReport(asOf: date, locations: entries))
    }
}
