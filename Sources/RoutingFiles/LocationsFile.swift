public import Foundation
public import LeadRouting

/// The locations CSV: one franchise location per row.
///
/// Columns (matched by name, case-insensitive, any order): `id`, `name`, and `postal_code` unless both
/// `latitude` and `longitude` are given; optionally `status` (default `active`), `daily_capacity`,
/// `weekly_capacity` (empty = unlimited), `leads_today`, `leads_this_week` (current usage, default 0),
/// `radius_miles`, `priority`, `reserved_for_hot`, `timezone` (IANA, default `UTC`), `territory` (postal codes
/// separated by spaces or semicolons) and `hours` (e.g. `mon-fri 05:00-22:00; sat-sun 07:00-19:00`).
public struct LocationsFile: Sendable {
    /// One row: the location and the usage it already has in its current windows.
    public struct Entry: Sendable, Hashable {
        public var location: Location
        public var usage: CapacityUsage
        /// The line the row is on.
        public var line: Int
        /// Every non-empty field of the row by its (lower-cased) column name, including columns this file does
        /// not use itself (onboarding reads its own from here).
        public var values: [String: String] = [:]
    }

    /// The file as the user named it.
    public let file: String
    public let entries: [Entry]

    /// The locations, in file order.
    public var locations: [Location] { entries.map(\.location) }

    /// Reads and validates a locations file.
    /// - Parameter directory: The reference postal data; a location placed only by a postal code must be in it.
    /// - Throws: ``FileError`` naming the file, line and column of the first problem; nothing is returned then.
    public init(contentsOf path: String, directory: PostalDirectory) throws(FileError) {
        try self.init(table: CSVTable(contentsOf: path), directory: directory)
    }

    /// Parses locations CSV text; `file` names it in errors.
    public init(text: String, file: String, directory: PostalDirectory) throws(FileError) {
        try self.init(table: CSVTable(text: text, file: file), directory: directory)
    }

    private init(table: CSVTable, directory: PostalDirectory) throws(FileError) {
        try table.require(columns: ["id", "name"])
        guard table.hasColumn("postal_code") || (table.hasColumn("latitude") && table.hasColumn("longitude")) else {
            throw FileError(
                file: table.file,
                line: 1,
                column: "postal_code",
                message: "required column is missing (or give both latitude and longitude)"
            )
        }
        var entries: [Entry] = []
        var linesByID: [String: Int] = [:]
        for row in table.rows {
            let entry = try Self.entry(from: row, in: table, directory: directory)
            if let first = linesByID.updateValue(row.line, forKey: entry.location.id) {
                throw table.error(row, "id", "'\(entry.location.id)' is already used on line \(first)")
            }
            entries.append(entry)
        }
        // A header and no rows is a franchise with no locations yet: every lead routes as `noLocations`.
        self.file = table.file
        self.entries = entries
    }

    private static func entry(
        from row: CSVTable.Row,
        in table: CSVTable,
        directory: PostalDirectory
    )
        throws(FileError) -> Entry
    {
        guard let id = table.value("id", in: row) else { throw table.error(row, "id", "is empty") }
        if let problem = Location.idProblem(id) { throw table.error(row, "id", problem) }
        guard let name = table.value("name", in: row) else { throw table.error(row, "name", "is empty") }

        var postalCode: PostalCode?
        if let text = table.value("postal_code", in: row) {
            guard let code = PostalCode(parsing: text) else {
                throw table.error(row, "postal_code", "'\(text)' is not a US ZIP or Canadian postal code")
            }
            postalCode = code
        }
        let latitude = try table.decimal("latitude", in: row, range: -90...90)
        let longitude = try table.decimal("longitude", in: row, range: -180...180)
        var coordinate: Coordinate?
        switch (latitude, longitude) {
        case (let latitude?, let longitude?):
            coordinate = Coordinate(latitude: latitude, longitude: longitude)
        case (nil, nil):
            break
        case (nil, _):
            throw table.error(row, "latitude", "is empty but longitude is given; give both or neither")
        case (_, nil):
            throw table.error(row, "longitude", "is empty but latitude is given; give both or neither")
        }
        if coordinate == nil {
            guard let postalCode else {
                throw table.error(row, "postal_code", "is empty and no latitude/longitude are given")
            }
            guard directory.point(for: postalCode) != nil else {
                throw table.error(
                    row,
                    "postal_code",
                    "\(postalCode) is not in the reference data; add latitude and longitude for this location"
                )
            }
        }

        var status = LocationStatus.active
        if let text = table.value("status", in: row) {
            guard let parsed = LocationStatus(rawValue: text.lowercased()) else {
                let allowed = LocationStatus.allCases.map(\.rawValue).joined(separator: ", ")
                throw table.error(row, "status", "'\(text)' is not one of \(allowed)")
            }
            status = parsed
        }

        let daily = try table.count("daily_capacity", in: row)
        let weekly = try table.count("weekly_capacity", in: row)
        let reserved = try table.count("reserved_for_hot", in: row) ?? 0
        if let daily, reserved > daily {
            throw table.error(row, "reserved_for_hot", "\(reserved) is more than the daily capacity \(daily)")
        }
        let radius = try table.decimal("radius_miles", in: row, range: 0...12_500)
        if radius == 0 { throw table.error(row, "radius_miles", "must be more than 0") }

        let timeZone = table.value("timezone", in: row) ?? "UTC"
        guard TimeZone(identifier: timeZone) != nil else {
            throw table.error(row, "timezone", "'\(timeZone)' is not an IANA time zone such as America/Chicago")
        }

        var territory: Set<PostalCode> = []
        if let text = table.value("territory", in: row) {
            for part in text.split(whereSeparator: { $0 == " " || $0 == ";" }) {
                guard let code = PostalCode(parsing: part) else {
                    throw table.error(row, "territory", "'\(part)' is not a US ZIP or Canadian postal code")
                }
                territory.insert(code)
            }
        }

        var hours: WeeklyHours?
        if let text = table.value("hours", in: row) {
            do {
                hours = try WeeklyHours(parsing: text)
            } catch {
                throw table.error(row, "hours", error.reason)
            }
        }

        let usage = CapacityUsage(
            today: try table.count("leads_today", in: row) ?? 0,
            thisWeek: try table.count("leads_this_week", in: row) ?? 0
        )
        let location = Location(
            id: id,
            name: name,
            postalCode: postalCode,
            coordinate: coordinate,
            status: status,
            capacity: CapacityLimits(daily: daily, weekly: weekly, reservedForHot: reserved),
            radiusMiles: radius,
            priority: try table.integer("priority", in: row) ?? 0,
            territory: territory,
            businessHours: hours,
            timeZoneIdentifier: timeZone
        )
        var values: [String: String] = [:]
        for column in table.columns where !column.isEmpty {
            if let value = table.value(column, in: row) { values[column] = value }
        }
        return Entry(location: location, usage: usage, line: row.line, values: values)
    }

    /// A routing session over these locations, with their current usage loaded into the ledger as of `date`.
    /// - Throws: ``FileError`` if the engine rejects a location (pinned to its line).
    public func makeSession(
        directory: PostalDirectory,
        policy: RoutingPolicy,
        at date: Date
    ) throws(FileError)
        -> RoutingSession
    {
        let engine: RoutingEngine
        do {
            engine = try RoutingEngine(locations: locations, directory: directory, policy: policy)
        } catch {
            let line = entries.first { $0.location.id == error.locationID }?.line ?? 0
            throw FileError(file: file, line: line, message: error.message)
        }
        var ledger = CapacityLedger()
        for entry in entries where entry.usage != CapacityUsage() {
            if let windows = engine.windows(ofLocationWithID: entry.location.id, at: date) {
                ledger.setUsage(entry.usage, of: entry.location.id, in: windows)
            }
        }
        return RoutingSession(engine: engine, ledger: ledger)
    }
}
