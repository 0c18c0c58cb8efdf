public import Foundation
public import LeadRouting
import ReferenceGeodata

/// Fixtures shared by tests and benchmarks.
public enum Fixtures {
    /// The shipped reference directory (loaded once per process).
    public static var directory: PostalDirectory {
        // The resources ship with the package; failing to load them is a broken build, not a test outcome.
        try! PostalDirectory.reference()
    }

    /// Monday 2026-11-30 09:00 in Chicago (15:00 UTC).
    public static let mondayMorning = date("2026-11-30T15:00:00Z")

    /// A date from an ISO 8601 text; fixtures are known-good, so a typo traps.
    public static func date(_ text: String) -> Date {
        try! Date(text, strategy: .iso8601)
    }

    /// A location at a real ZIP, with sensible defaults for everything else.
    public static func location(
        _ id: String,
        zip: String,
        status: LocationStatus = .active,
        daily: Int? = 10,
        weekly: Int? = nil,
        reservedForHot: Int = 0,
        radius: Double? = nil,
        priority: Int = 0,
        territory: [String] = [],
        hours: String? = nil,
        timeZone: String = "America/Chicago"
    ) -> Location {
        Location(
            id: id,
            name: "Gym \(id)",
            postalCode: PostalCode(parsing: zip)!,
            status: status,
            capacity: CapacityLimits(daily: daily, weekly: weekly, reservedForHot: reservedForHot),
            radiusMiles: radius,
            priority: priority,
            territory: Set(territory.map { PostalCode(parsing: $0)! }),
            businessHours: hours.map { try! WeeklyHours(parsing: $0) },
            timeZoneIdentifier: timeZone
        )
    }

    /// A lead from a postal code, arriving on ``mondayMorning`` unless told otherwise.
    public static func lead(
        _ postalCode: String?,
        id: String? = nil,
        score: Int? = nil,
        email: String? = nil,
        phone: String? = nil,
        at date: Date = mondayMorning,
        coordinate: Coordinate? = nil
    ) -> Lead {
        Lead(
            id: id,
            postalCode: postalCode,
            coordinate: coordinate,
            email: email,
            phone: phone,
            score: score,
            source: "test",
            arrivedAt: date
        )
    }

    /// Austin-area gyms used across the routing tests (all in America/Chicago).
    public static let austin: [Location] = [
        location("atx-downtown", zip: "78701"),
        location("atx-south", zip: "78745"),
        location("round-rock", zip: "78664"),
    ]

    /// `count` locations at distinct real US ZIPs spread over the country (deterministic), for scale tests and
    /// benchmarks.
    public static func nationwide(count: Int, directory: PostalDirectory) -> [Location] {
        var locations: [Location] = []
        var zip = 1000
        let step = max(1, 98_000 / max(count, 1))
        var seed: UInt64 = 42
        while locations.count < count && zip < 100_000 {
            let text = String(repeating: "0", count: 5 - String(zip).count) + String(zip)
            if let code = PostalCode(parsing: text), directory.point(for: code) != nil {
                seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                locations.append(
                    Location(
                        id: "loc-\(text)",
                        name: "Gym \(text)",
                        postalCode: code,
                        capacity: CapacityLimits(daily: 20 + Int(seed >> 59), weekly: nil, reservedForHot: 2),
                        priority: Int((seed >> 40) % 3),
                        timeZoneIdentifier: "America/Chicago"
                    )
                )
                zip += step
            } else {
                zip += 1
            }
        }
        return locations
    }

    /// `count` leads (deterministic), each at a real ZIP near one of the locations: the first of the next few ZIP
    /// numbers that lies within 10 miles of it, else the location's own ZIP.
    public static func nearbyLeads(count: Int, around locations: [Location], directory: PostalDirectory) -> [Lead] {
        var seed: UInt64 = 7
        return (0..<count).map { index in
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let location = locations[Int(seed >> 33) % locations.count]
            let own = location.postalCode!
            let home = directory.point(for: own)!
            let number = Int(own.text)!
            let nearby = (1...5).lazy.map { String(format: "%05d", min(99_999, number + $0)) }.first { zip in
                directory.point(for: .usZIP(zip)).map { $0.distanceMiles(to: home) <= 10 } ?? false
            }
            return lead(nearby ?? own.text, id: "lead-\(index)")
        }
    }
}
