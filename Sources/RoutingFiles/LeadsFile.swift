public import Foundation
public import LeadRouting

/// The leads CSV: one lead per row, routed in file order.
///
/// Columns: `postal_code`, and optionally `latitude`, `longitude`, `score` (0–100), `email`, `phone`, `source`,
/// `at` (ISO 8601 arrival time; default: the run's time) and `id`. A lead's postal code is not checked here: a bad
/// one is a routing outcome (`invalidPostalCode`), not a broken file.
public struct LeadsFile: Sendable {
    /// One row: the lead and the line it is on.
    public struct Entry: Sendable, Hashable {
        public var lead: Lead
        public var line: Int
    }

    public let file: String
    public let entries: [Entry]

    /// Reads a leads file; leads without `at` arrive at `defaultArrival`.
    /// - Throws: ``FileError`` naming the file, line and column of the first malformed field.
    public init(contentsOf path: String, defaultArrival: Date) throws(FileError) {
        try self.init(table: CSVTable(contentsOf: path), defaultArrival: defaultArrival)
    }

    /// Parses leads CSV text; `file` names it in errors.
    public init(text: String, file: String, defaultArrival: Date) throws(FileError) {
        try self.init(table: CSVTable(text: text, file: file), defaultArrival: defaultArrival)
    }

    private init(table: CSVTable, defaultArrival: Date) throws(FileError) {
        guard table.hasColumn("postal_code") || (table.hasColumn("latitude") && table.hasColumn("longitude")) else {
            throw FileError(
                file: table.file,
                line: 1,
                column: "postal_code",
                message: "required column is missing (or give both latitude and longitude)"
            )
        }
        var entries: [Entry] = []
        for row in table.rows {
            let latitude = try table.decimal(
                "latitude",
                in: row,
                range: -.greatestFiniteMagnitude...(.greatestFiniteMagnitude)
            )
            let longitude = try table.decimal(
                "longitude",
                in: row,
                range: -.greatestFiniteMagnitude...(.greatestFiniteMagnitude)
            )
            var coordinate: Coordinate?
            if let latitude, let longitude { coordinate = Coordinate(latitude: latitude, longitude: longitude) }
            let score = try table.count("score", in: row)
            if let score, score > 100 { throw table.error(row, "score", "\(score) is outside 0…100") }
            var arrival = defaultArrival
            if let text = table.value("at", in: row) {
                guard let date = InternetTimestamp.date(from: text) else {
                    throw table.error(row, "at", "'\(text)' is not an ISO 8601 time like 2026-11-29T09:30:00-06:00")
                }
                arrival = date
            }
            let lead = Lead(
                id: table.value("id", in: row) ?? "line-\(row.line)",
                postalCode: table.value("postal_code", in: row),
                coordinate: coordinate,
                email: table.value("email", in: row),
                phone: table.value("phone", in: row),
                score: score,
                source: table.value("source", in: row),
                arrivedAt: arrival
            )
            entries.append(Entry(lead: lead, line: row.line))
        }
        self.file = table.file
        self.entries = entries
    }
}
