import Foundation
public import HighLevel
public import LeadRouting
import Mustache
public import RoutingFiles
import Yams

/// How every new location is set up in GHL, in YAML with `{{location.field}}` placeholders (swift-mustache): the
/// snapshot to load, settings (time zone, business hours per day), custom fields to create, custom values to set,
/// integration flags, and what the snapshot must have installed (checked before a location goes live).
///
/// A placeholder names a column of the locations file (`{{location.address}}`), or `{{location.hours.monday}}` …
/// (from the `hours` column). A placeholder whose value is missing is an error, never an empty string.
public struct LocationTemplate: Sendable, Decodable {
    /// The sub-account's name (default `{{location.name}}`).
    public var name: String?
    public var snapshots: Snapshots
    public var settings: Settings
    public var customFields: [CustomFieldDefinition]
    /// Custom value name → value.
    public var customValues: [String: String]
    /// Integration switches, recorded with the plan (GHL's API has no endpoint to turn them on).
    public var integrations: [String: Bool]?
    /// What the snapshot installs, checked in each new sub-account before it goes live.
    public var expects: Expectations?

    public struct Snapshots: Sendable, Decodable {
        /// Loaded when the sub-account is created.
        public var base: String
        /// The automations snapshot the base one is expected to include (named in the plan).
        public var automations: String?
    }

    public struct Settings: Sendable, Decodable {
        public var timezone: String
        /// Weekday (`monday` … `sunday`) → opening hours, stored as custom values "Business hours <Day>".
        public var businessHours: [String: String]?
    }

    public struct CustomFieldDefinition: Sendable, Hashable, Codable {
        public var name: String
        /// GHL's data type (`TEXT`, `NUMERICAL`, …); `TEXT` by default.
        public var dataType: String?
    }

    public struct Expectations: Sendable, Decodable {
        public var workflows: [String]?
        public var pipelines: [String]?
    }

    /// The file as the user named it.
    public private(set) var file = ""

    private enum CodingKeys: String, CodingKey {
        case name, snapshots, settings, customFields, customValues, integrations, expects
    }

    /// Reads a template. - Throws: ``FileError`` naming the file and the field.
    public init(contentsOf path: String) throws(FileError) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw FileError(file: path, line: 0, message: "cannot be read (\(error.localizedDescription))")
        }
        try self.init(yaml: text, file: path)
    }

    /// Parses template YAML; `file` names it in errors.
    public init(yaml text: String, file: String) throws(FileError) {
        do {
            self = try YAMLDecoder().decode(LocationTemplate.self, from: text)
        } catch let DecodingError.keyNotFound(key, context) {
            let path = (context.codingPath + [key]).map(\.stringValue).joined(separator: ".")
            throw FileError(file: file, line: 0, column: path, message: "is required")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw FileError(file: file, line: 0, column: path, message: context.debugDescription)
        } catch {
            throw FileError(file: file, line: 0, message: "not a readable template (\(error))")
        }
        self.file = file
        for (index, field) in customFields.enumerated() where field.name.isEmpty {
            throw FileError(file: file, line: 0, column: "customFields[\(index)].name", message: "is empty")
        }
        let days = Set(Self.weekdays)
        for day in (settings.businessHours ?? [:]).keys where !days.contains(day) {
            throw FileError(
                file: file,
                line: 0,
                column: "settings.businessHours.\(day)",
                message: "is not a weekday (monday … sunday)"
            )
        }
        // Every template string must parse as Mustache.
        for (path, text) in templatedStrings {
            do {
                _ = try MustacheTemplate(string: text)
            } catch {
                throw FileError(file: file, line: 0, column: path, message: "not a valid template (\(error))")
            }
        }
    }

    static let weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

    /// Every string with placeholders, by its path in the template.
    private var templatedStrings: [(String, String)] {
        var strings: [(String, String)] = [
            ("name", name ?? "{{location.name}}"), ("snapshots.base", snapshots.base),
            ("settings.timezone", settings.timezone),
        ]
        for (day, hours) in (settings.businessHours ?? [:]).sorted(by: { $0.key < $1.key }) {
            strings.append(("settings.businessHours.\(day)", hours))
        }
        for (name, value) in customValues.sorted(by: { $0.key < $1.key }) {
            strings.append(("customValues.\(name)", value))
        }
        return strings
    }

    /// Renders the template for one location.
    /// - Parameter file: The locations file (named in errors with the location's line).
    /// - Throws: ``FileError`` at the location's line naming the missing field and where the template uses it.
    public func render(
        for onboarding: OnboardingLocation,
        file locationsFile: String
    ) throws(FileError) -> OnboardingSpec {
        var fields: [String: Any] = onboarding.values
        if let hours = onboarding.location.businessHours {
            var byDay: [String: String] = [:]
            for clause in hours.description.split(separator: ";") {
                let parts = clause.trimmingCharacters(in: .whitespaces).split(separator: " ", maxSplits: 1)
                guard parts.count == 2,
                    let index = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
                        .firstIndex(of: String(parts[0]))
                else { continue }
                byDay[Self.weekdays[index]] = String(parts[1])
            }
            fields["hours"] = byDay
        }
        // The routing fields as routing reads them, also where the row leaves them to their defaults.
        let location = onboarding.location
        var effective: [String: String] = [
            "id": location.id, "name": location.name, "timezone": location.timeZoneIdentifier,
            "priority": String(location.priority), "status": location.status.rawValue,
        ]
        effective["postal_code"] = location.postalCode?.text
        effective["daily_capacity"] = location.capacity.daily.map(String.init)
        effective["weekly_capacity"] = location.capacity.weekly.map(String.init)
        effective["radius_miles"] = location.radiusMiles.map { String($0) }
        for (key, value) in effective where fields[key] == nil { fields[key] = value }
        let context: [String: Any] = ["location": fields]
        var rendered: [String: String] = [:]
        for (path, text) in templatedStrings {
            for placeholder in Self.placeholders(in: text) {
                var value: Any? = context
                for part in placeholder.split(separator: ".") { value = (value as? [String: Any])?[String(part)] }
                if (value as? String)?.isEmpty ?? (value == nil) {
                    var column = placeholder.hasPrefix("location.") ? String(placeholder.dropFirst(9)) : placeholder
                    var problem = "is empty"
                    if column.hasPrefix("hours.") {
                        problem = "gives no hours for \(column.dropFirst(6))"
                        column = "hours"
                    }
                    throw FileError(
                        file: locationsFile,
                        line: onboarding.line,
                        column: column,
                        message: "\(problem), but the template (\(file), \(path)) needs {{\(placeholder)}}"
                    )
                }
            }
            guard let template = try? MustacheTemplate(string: "{{% CONTENT_TYPE:TEXT}}" + text) else { continue }
            rendered[path] = template.render(context).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var values: [String: String] = [:]
        for (path, value) in rendered where path.hasPrefix("customValues.") {
            values[String(path.dropFirst("customValues.".count))] = value
        }
        for (path, value) in rendered where path.hasPrefix("settings.businessHours.") {
            let day = String(path.dropFirst("settings.businessHours.".count))
            values["Business hours \(day.prefix(1).uppercased() + day.dropFirst())"] = value
        }
        let timezone = rendered["settings.timezone"] ?? onboarding.location.timeZoneIdentifier
        guard TimeZone(identifier: timezone) != nil else {
            throw FileError(
                file: locationsFile,
                line: onboarding.line,
                column: "timezone",
                message: "'\(timezone)' (from the template's settings.timezone) is not an IANA time zone"
            )
        }
        let row = onboarding.values
        let subAccount = NewSubAccount(
            name: rendered["name"] ?? onboarding.location.name,
            address: row["address"],
            city: row["city"],
            state: row["state"],
            country: row["country"],
            postalCode: onboarding.location.postalCode?.text,
            phone: row["phone"],
            email: row["email"],
            website: row["website"],
            timezone: timezone,
            snapshotID: rendered["snapshots.base"]
        )
        return OnboardingSpec(
            location: onboarding.location,
            line: onboarding.line,
            subAccount: subAccount,
            customFields: customFields,
            customValues: values,
            expectedWorkflows: expects?.workflows ?? [],
            expectedPipelines: expects?.pipelines ?? [],
            integrations: (integrations ?? [:]).filter(\.value).map(\.key).sorted()
        )
    }

    /// The variable names of `{{name}}` / `{{{name}}}` / `{{&name}}` tags (not sections, comments or partials).
    static func placeholders(in text: String) -> [String] {
        var names: [String] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            rest = rest[open.upperBound...]
            guard let close = rest.range(of: "}}") else { break }
            var tag = rest[..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            rest = rest[close.upperBound...]
            if tag.hasPrefix("{") { tag = String(tag.dropFirst()) }
            if tag.hasPrefix("&") { tag = String(tag.dropFirst()).trimmingCharacters(in: .whitespaces) }
            guard let first = tag.first, !"#^/!>%=<$".contains(first) else { continue }
            names.append(tag)
        }
        return names
    }
}

/// What onboarding one location means, the template rendered for it.
public struct OnboardingSpec: Sendable, Hashable {
    /// The routing definition (added to routing as `onboarding` until validated).
    public var location: Location
    public var line: Int
    /// The sub-account to create (with the base snapshot and time zone).
    public var subAccount: NewSubAccount
    public var customFields: [LocationTemplate.CustomFieldDefinition]
    /// Custom value name → rendered value (business hours included).
    public var customValues: [String: String]
    public var expectedWorkflows: [String]
    public var expectedPipelines: [String]
    /// The integrations the template switches on (GHL's API cannot: the plan lists them for a person to do).
    public var integrations: [String] = []

    public var id: String { location.id }
}
