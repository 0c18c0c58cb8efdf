import Foundation
import HTTPTypes
import LeadRouting
import Storage

/// A location in the API: the columns of the locations CSV in camelCase, plus `ghlLocationId`.
struct LocationResource: Codable, Sendable, Equatable {
    var id: String
    var name: String
    var postalCode: String?
    var latitude: Double?
    var longitude: Double?
    var status: String
    var dailyCapacity: Int?
    var weeklyCapacity: Int?
    var reservedForHot: Int
    var radiusMiles: Double?
    var priority: Int
    var timezone: String
    var territory: [String]
    var hours: String?
    var ghlLocationId: String?
    /// This location's own SLA in minutes (absent: the franchise's).
    var slaMinutes: Int?
    /// Leads are never re-routed away from this location by the SLA.
    var slaExempt: Bool?
    var updatedAt: Date?
    /// Whether Switchboard's app is installed in the sub-account (from GHL's INSTALL/UNINSTALL events; absent
    /// before either came).
    var ghlApp: AppState?

    struct AppState: Codable, Sendable, Equatable {
        var installed: Bool
        var changedAt: Date
    }

    init(_ stored: StoredLocation, installations: [String: AppInstallation] = [:]) {
        let location = stored.location
        id = location.id
        name = location.name
        postalCode = location.postalCode?.text
        latitude = location.coordinate?.latitude
        longitude = location.coordinate?.longitude
        status = location.status.rawValue
        dailyCapacity = location.capacity.daily
        weeklyCapacity = location.capacity.weekly
        reservedForHot = location.capacity.reservedForHot
        radiusMiles = location.radiusMiles
        priority = location.priority
        timezone = location.timeZoneIdentifier
        territory = location.territory.map(\.text).sorted()
        hours = location.businessHours?.description
        ghlLocationId = stored.ghlLocationID
        slaMinutes = stored.slaMinutes
        slaExempt = stored.slaExempt
        updatedAt = stored.updatedAt
        ghlApp = stored.ghlLocationID.flatMap { installations[$0] }.map {
            AppState(installed: $0.installed, changedAt: $0.changedAt)
        }
    }
}

/// A location as a client sends it (POST, PUT): every field checked, errors naming the field.
struct LocationInput: Decodable, Sendable {
    /// The form of an IANA zone name (`America/Chicago`, `Etc/GMT+5`, `UTC`), as the OpenAPI document gives it.
    nonisolated(unsafe) static let timeZoneName = /[A-Za-z][A-Za-z0-9_+\-]*(\/[A-Za-z0-9_+\-]+)*/

    var id: String?
    var name: String?
    var postalCode: String?
    var latitude: Double?
    var longitude: Double?
    var status: String?
    var dailyCapacity: Int?
    var weeklyCapacity: Int?
    var reservedForHot: Int?
    var radiusMiles: Double?
    var priority: Int?
    var timezone: String?
    var territory: [String]?
    var hours: String?
    var ghlLocationId: String?
    var slaMinutes: Int?
    var slaExempt: Bool?

    /// The location this input describes; `path` prefixes field names in errors (e.g. `locations[3].`).
    func location(id pathID: String? = nil, path: String = "", at date: Date) throws -> StoredLocation {
        guard let id = pathID ?? id, !id.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw Problem.invalidField(path + "id", "is required")
        }
        if let pathID, let bodyID = self.id, bodyID != pathID {
            throw Self.idMismatch(bodyID, pathID)
        }
        if let problem = Location.idProblem(id) { throw Problem.invalidField(path + "id", problem) }
        guard let name, !name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw Problem.invalidField(path + "name", "is required")
        }
        var location = Location(id: id, name: name)
        try apply(to: &location, path: path)
        var stored = StoredLocation(location: location, ghlLocationID: ghlLocationId, updatedAt: date)
        try applySLA(to: &stored, path: path)
        return stored
    }

    /// Applies the SLA fields that are present (a location's own SLA, or its exemption).
    func applySLA(to stored: inout StoredLocation, path: String = "") throws {
        if let slaMinutes {
            guard (1...10_080).contains(slaMinutes) else {
                throw Problem.invalidField(path + "slaMinutes", "must be from 1 to 10080 (a week)")
            }
            stored.slaMinutes = slaMinutes
        }
        if let slaExempt { stored.slaExempt = slaExempt }
    }

    /// A body naming another location than its URL: well formed, but it cannot be done (422).
    static func idMismatch(_ bodyID: String, _ pathID: String) -> Problem {
        Problem(
            "id-mismatch",
            status: .unprocessableContent,
            detail: "'\(bodyID)' does not match the id in the URL ('\(pathID)'); a location's id cannot be changed",
            field: "id"
        )
    }

    /// Applies the fields that are present to a location (PATCH applies only those).
    func apply(to location: inout Location, path: String = "") throws {
        for (field, value, limit) in [
            ("name", name, TextLimits.field), ("postalCode", postalCode, TextLimits.postalCode),
            ("status", status, TextLimits.field), ("timezone", timezone, TextLimits.field),
            ("hours", hours, TextLimits.note), ("ghlLocationId", ghlLocationId, TextLimits.field),
        ] {
            try TextLimits.check(path + field, value, maxBytes: limit)
        }
        for (index, code) in (territory ?? []).enumerated() {
            try TextLimits.check(path + "territory[\(index)]", code, maxBytes: TextLimits.postalCode)
        }
        if let name {
            guard !name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw Problem.invalidField(path + "name", "cannot be empty")
            }
            location.name = name
        }
        if let postalCode {
            guard let code = PostalCode(parsing: postalCode) else {
                throw Problem.invalidField(
                    path + "postalCode",
                    "'\(postalCode)' is not a US ZIP or Canadian postal code"
                )
            }
            location.postalCode = code
        }
        switch (latitude, longitude) {
        case (let latitude?, let longitude?):
            guard (-90...90).contains(latitude) else {
                throw Problem.invalidField(path + "latitude", "must be between -90 and 90")
            }
            guard (-180...180).contains(longitude) else {
                throw Problem.invalidField(path + "longitude", "must be between -180 and 180")
            }
            location.coordinate = Coordinate(latitude: latitude, longitude: longitude)
        case (nil, nil): break
        case (nil, _): throw Problem.invalidField(path + "latitude", "is missing; give latitude and longitude together")
        case (_, nil):
            throw Problem.invalidField(path + "longitude", "is missing; give latitude and longitude together")
        }
        if let status {
            guard let parsed = LocationStatus(rawValue: status) else {
                let allowed = LocationStatus.allCases.map(\.rawValue).joined(separator: ", ")
                throw Problem.invalidField(path + "status", "'\(status)' is not one of \(allowed)")
            }
            location.status = parsed
        }
        if let dailyCapacity {
            guard dailyCapacity >= 0 else { throw Problem.invalidField(path + "dailyCapacity", "cannot be negative") }
            location.capacity.daily = dailyCapacity
        }
        if let weeklyCapacity {
            guard weeklyCapacity >= 0 else { throw Problem.invalidField(path + "weeklyCapacity", "cannot be negative") }
            location.capacity.weekly = weeklyCapacity
        }
        if let reservedForHot {
            guard reservedForHot >= 0 else { throw Problem.invalidField(path + "reservedForHot", "cannot be negative") }
            location.capacity.reservedForHot = reservedForHot
        }
        if let daily = location.capacity.daily, location.capacity.reservedForHot > daily {
            // Each value is well formed; together (or with what is stored) they cannot hold.
            throw Problem(
                "inconsistent-capacity",
                status: .unprocessableContent,
                detail: "\(location.capacity.reservedForHot) reserved for hot leads is more than the daily capacity "
                    + "\(daily)",
                field: path + "reservedForHot"
            )
        }
        if let radiusMiles {
            guard radiusMiles > 0 && radiusMiles <= 12_500 else {
                throw Problem.invalidField(path + "radiusMiles", "must be more than 0 and at most 12500")
            }
            location.radiusMiles = radiusMiles
        }
        if let priority { location.priority = priority }
        if let timezone {
            // The form of a zone name is checked first (400); a well-formed name no zone has is 422.
            guard timezone.wholeMatch(of: Self.timeZoneName) != nil else {
                throw Problem.invalidField(
                    path + "timezone",
                    "'\(timezone)' is not an IANA time zone name such as America/Chicago"
                )
            }
            guard TimeZone(identifier: timezone) != nil else {
                throw Problem(
                    "unknown-time-zone",
                    status: .unprocessableContent,
                    detail: "'\(timezone)' is not an IANA time zone such as America/Chicago",
                    field: path + "timezone"
                )
            }
            location.timeZoneIdentifier = timezone
        }
        if let territory {
            var codes: Set<PostalCode> = []
            for (index, text) in territory.enumerated() {
                guard let code = PostalCode(parsing: text) else {
                    throw Problem.invalidField(
                        path + "territory[\(index)]",
                        "'\(text)' is not a US ZIP or Canadian postal code"
                    )
                }
                codes.insert(code)
            }
            location.territory = codes
        }
        if let hours {
            do {
                location.businessHours = hours.isEmpty ? nil : try WeeklyHours(parsing: hours)
            } catch  where error.kind == .emptyInterval {
                throw Problem(
                    "invalid-hours",
                    status: .unprocessableContent,
                    detail: error.reason,
                    field: path + "hours"
                )
            } catch {
                throw Problem.invalidField(path + "hours", error.reason)
            }
        }
    }
}
