import Foundation
import HighLevel
import Rollout
import RoutingFiles
import SwitchboardTesting
import Testing

@Suite("Rollout input: locations file and template")
struct RolloutFilesTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static func example(_ name: String) -> String { repository.appendingPathComponent("examples/\(name)").path }

    @Test("The shipped acquired-75 file and template render every location, business hours included")
    func examplesRender() throws {
        let file = try OnboardingFile(contentsOf: Self.example("acquired-75.csv"), directory: Fixtures.directory)
        #expect(file.locations.count == 75)
        let template = try LocationTemplate(contentsOf: Self.example("location-template.yml"))
        let specs = try file.locations.map { try template.render(for: $0, file: file.file) }
        let first = try #require(specs.first)
        #expect(first.subAccount.name == "Summit Strength San Antonio Pearl")
        #expect(first.subAccount.snapshotID == "snap-franchise-standard")
        #expect(first.subAccount.timezone == "America/Chicago")
        #expect(first.customValues["location_id"] == "sa-pearl")
        #expect(first.customValues["gym_address"] == "100 Main St, San Antonio, TX 78215")
        #expect(first.customValues["Business hours Monday"] == "05:00-22:00")
        #expect(first.customValues["Business hours Sunday"] == "07:00-19:00")
        #expect(first.customFields.map(\.name) == ["location_id", "capacity_limit", "priority_level"])
        #expect(Set(specs.map(\.subAccount.name)).count == 75)
    }

    @Test("A value the template needs but the row lacks is an error naming the file, line and column")
    func missingValue() throws {
        let csv = """
            id,name,postal_code,timezone,address,city
            a,Gym A,78701,America/Chicago,1 Main St,Austin
            b,Gym B,75201,America/Chicago,,Dallas
            """
        let file = try OnboardingFile(csv: csv, file: "new.csv", directory: Fixtures.directory)
        let template = try LocationTemplate(
            yaml: """
                snapshots: {base: snap-1}
                settings: {timezone: "{{location.timezone}}"}
                customFields: []
                customValues: {gym_address: "{{location.address}}, {{location.city}}"}
                """,
            file: "template.yml"
        )
        _ = try template.render(for: file.locations[0], file: file.file)
        #expect(
            throws: FileError(
                file: "new.csv",
                line: 3,
                column: "address",
                message:
                    "is empty, but the template (template.yml, customValues.gym_address) needs {{location.address}}"
            )
        ) {
            try template.render(for: file.locations[1], file: file.file)
        }
    }

    @Test("Duplicate names, bad time zones and bad e-mails are refused before anything is sent")
    func rowChecks() {
        let header = "id,name,postal_code,timezone,email\n"
        let cases: [(String, Int, String)] = [
            (header + "a,Gym,78701,America/Chicago,a@x.com\nb,gym,75201,America/Chicago,b@x.com\n", 3, "name"),
            (header + "a,Gym,78701,Mars/Olympus,a@x.com\n", 2, "timezone"),
            (header + "a,Gym,78701,America/Chicago,not-an-email\n", 2, "email"),
            (header + "a,Gym,78701,America/Chicago,a@x.com\na,Other,75201,America/Chicago,b@x.com\n", 3, "id"),
        ]
        for (csv, line, column) in cases {
            do {
                _ = try OnboardingFile(csv: csv, file: "new.csv", directory: Fixtures.directory)
                Issue.record("accepted: \(csv)")
            } catch {
                #expect(error.line == line && error.column == column, "\(error)")
            }
        }
    }

    @Test("The YAML form reads the same, and its errors point at the YAML line")
    func yamlLocations() throws {
        let good = try OnboardingFile(
            yaml: """
                locations:
                  - id: a
                    name: Gym A
                    postal_code: "78701"
                    timezone: America/Chicago
                  - id: b
                    name: Gym B
                    postal_code: "75201"
                    timezone: America/Chicago
                """,
            file: "new.yml",
            directory: Fixtures.directory
        )
        #expect(good.locations.map(\.id) == ["a", "b"])
        #expect(good.locations[1].line == 6)
        do {
            _ = try OnboardingFile(
                yaml: """
                    - id: a
                      name: Gym A
                      postal_code: "78701"
                    - id: b
                      name: Gym B
                      postal_code: "7520"
                    """,
                file: "new.yml",
                directory: Fixtures.directory
            )
            Issue.record("accepted a bad postal code")
        } catch {
            #expect(error.file == "new.yml" && error.line == 4 && error.column == "postal_code", "\(error)")
        }
    }

    @Test("A template without its required parts, or with an unknown weekday, names the field")
    func templateChecks() {
        #expect(throws: FileError(file: "t.yml", line: 0, column: "snapshots", message: "is required")) {
            try LocationTemplate(yaml: "settings: {timezone: UTC}\ncustomFields: []\ncustomValues: {}", file: "t.yml")
        }
        do {
            _ = try LocationTemplate(
                yaml: """
                    snapshots: {base: s}
                    settings: {timezone: UTC, businessHours: {funday: "09:00-17:00"}}
                    customFields: []
                    customValues: {}
                    """,
                file: "t.yml"
            )
            Issue.record("accepted funday")
        } catch {
            #expect(error.column == "settings.businessHours.funday")
        }
    }
}
