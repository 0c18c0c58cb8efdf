import Foundation
public import LeadRouting
public import RoutingFiles
import Yams

/// The locations to onboard: the locations CSV of `switchboard route` with onboarding columns (address, city,
/// state, country, phone, email, website, snapshot, and anything the template references), or the same as YAML (a
/// list of mappings with those keys). Every row is checked before anything is sent; errors name the file, the line
/// and the field.
public struct OnboardingFile: Sendable {
    /// The file as the user named it.
    public let file: String
    public let locations: [OnboardingLocation]

    /// Reads and validates a locations file (`.yml`/`.yaml`: YAML; anything else: CSV).
    public init(contentsOf path: String, directory: PostalDirectory) throws(FileError) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw FileError(file: path, line: 0, message: "cannot be read (\(error.localizedDescription))")
        }
        let lower = path.lowercased()
        if lower.hasSuffix(".yml") || lower.hasSuffix(".yaml") {
            try self.init(yaml: text, file: path, directory: directory)
        } else {
            try self.init(csv: text, file: path, directory: directory)
        }
    }

    /// Parses CSV text; `file` names it in errors.
    public init(csv text: String, file: String, directory: PostalDirectory) throws(FileError) {
        let parsed = try LocationsFile(text: text, file: file, directory: directory)
        try self.init(entries: parsed.entries, file: file, lines: { $0 })
    }

    /// Parses YAML text (a list of mappings, or a mapping with a `locations` list); `file` names it in errors.
    public init(yaml text: String, file: String, directory: PostalDirectory) throws(FileError) {
        let rows: [(line: Int, values: [(String, String)])]
        do {
            rows = try Self.yamlRows(text)
        } catch let error as FileError {
            throw FileError(file: file, line: error.line, column: error.column, message: error.message)
        } catch {
            throw FileError(file: file, line: 0, message: "not a readable YAML file (\(error))")
        }
        guard !rows.isEmpty else { throw FileError(file: file, line: 0, message: "no locations in the file") }
        // The same checks as the CSV: the rows become CSV (row i on line i + 2), errors are mapped back.
        var header: [String] = []
        for row in rows {
            for (key, _) in row.values where !header.contains(key) { header.append(key) }
        }
        func quoted(_ value: String) -> String {
            "\"" + value.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        var csv = header.map(quoted).joined(separator: ",") + "\n"
        for row in rows {
            let values = Dictionary(row.values, uniquingKeysWith: { first, _ in first })
            csv += header.map { quoted(values[$0] ?? "") }.joined(separator: ",") + "\n"
        }
        let lineOfRow = rows.map(\.line)
        let mapLine: @Sendable (Int) -> Int = { line in
            line >= 2 && line - 2 < lineOfRow.count ? lineOfRow[line - 2] : 0
        }
        do {
            let parsed = try LocationsFile(text: csv, file: file, directory: directory)
            try self.init(entries: parsed.entries, file: file, lines: mapLine)
        } catch {
            throw FileError(file: file, line: mapLine(error.line), column: error.column, message: error.message)
        }
    }

    private init(
        entries: [LocationsFile.Entry],
        file: String,
        lines: (Int) -> Int
    ) throws(FileError) {
        var lineByName: [String: Int] = [:]
        var locations: [OnboardingLocation] = []
        for entry in entries {
            let line = lines(entry.line)
            let key = entry.location.name.lowercased()
            if let first = lineByName.updateValue(line, forKey: key) {
                throw FileError(
                    file: file,
                    line: line,
                    column: "name",
                    message:
                        "'\(entry.location.name)' is already used on line \(first) (sub-accounts are found by name)"
                )
            }
            for column in ["email", "website"] {
                if let value = entry.values[column], !Self.plausible(value, as: column) {
                    throw FileError(
                        file: file,
                        line: line,
                        column: column,
                        message: "'\(value)' is not a valid \(column)"
                    )
                }
            }
            locations.append(OnboardingLocation(location: entry.location, values: entry.values, line: line))
        }
        self.file = file
        self.locations = locations
    }

    private static func plausible(_ value: String, as column: String) -> Bool {
        switch column {
        case "email":
            let parts = value.split(separator: "@")
            return parts.count == 2 && parts[1].contains(".") && !value.contains(" ")
        default:
            guard let url = URL(string: value.hasPrefix("http") ? value : "https://" + value) else { return false }
            return url.host?.contains(".") == true && !value.contains(" ")
        }
    }

    private static func yamlRows(_ text: String) throws -> [(line: Int, values: [(String, String)])] {
        guard let root = try Yams.compose(yaml: text) else { return [] }
        var list = root
        if let mapping = root.mapping, let locations = mapping["locations"] { list = locations }
        guard let sequence = list.sequence else {
            throw FileError(file: "", line: 1, message: "expected a list of locations (or a 'locations:' list)")
        }
        return try sequence.map { node in
            let line = (node.mark?.line ?? 0)
            guard let mapping = node.mapping else {
                throw FileError(file: "", line: line, message: "each location is a mapping of field: value")
            }
            var values: [(String, String)] = []
            for (key, value) in mapping {
                guard let name = key.string?.lowercased() else {
                    throw FileError(file: "", line: key.mark?.line ?? line, message: "a field name must be text")
                }
                guard let scalar = value.scalar else {
                    throw FileError(
                        file: "",
                        line: value.mark?.line ?? line,
                        column: name,
                        message: "must be a single value, not a list or mapping"
                    )
                }
                values.append((name, scalar.string))
            }
            return (line, values)
        }
    }
}

/// One location to onboard: its routing definition and every field of its row.
public struct OnboardingLocation: Sendable, Hashable {
    public var location: Location
    /// The row's fields by lower-cased column name.
    public var values: [String: String]
    /// The line of the row.
    public var line: Int

    public var id: String { location.id }

    public init(location: Location, values: [String: String], line: Int) {
        self.location = location
        self.values = values
        self.line = line
    }
}
