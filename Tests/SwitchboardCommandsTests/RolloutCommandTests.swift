import ArgumentParser
import Foundation
import LeadRouting
import Storage
import SwitchboardCommands
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("switchboard rollout")
struct RolloutCommandTests {
    static let examples = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appending(path: "examples")

    private func arguments(_ directory: String, locations: String = "acquired-75.csv") -> [String] {
        [
            "--locations", Self.examples.appending(path: locations).path, "--template",
            Self.examples.appending(path: "location-template.yml").path, "--data-dir", directory, "--demo-locations",
            Self.examples.appending(path: "franchise-25.csv").path,
        ]
    }

    private func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appending(path: "sb-rollout-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("apply runs the pilot, then the next wave, on the embedded sandbox; reports are written")
    func applyInWaves() async throws {
        let directory = try temporaryDirectory()
        try await RolloutCommand.Apply.parse(arguments(directory) + ["--snapshot-timeout", "30"]).run()
        let store = try SQLiteStore(path: directory + "/switchboard.sqlite")
        #expect(try await store.rolloutRecords().values.filter { $0.state == .active }.count == 10)
        // The 25 live locations the embedded default loaded, plus the 10 of the pilot.
        #expect(try await store.allLocations().filter { $0.location.status == .active }.count == 35)
        try await RolloutCommand.Apply.parse(arguments(directory) + ["--wave", "next", "--snapshot-timeout", "30"])
            .run()
        #expect(try await store.rolloutRecords().values.filter { $0.state == .active }.count == 25)
        let markdown = try String(contentsOfFile: directory + "/rollout-report.md", encoding: .utf8)
        #expect(markdown.hasPrefix("# Rollout report"))
        #expect(markdown.contains("| sa-pearl | active | 1 |"))
        let json = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(filePath: directory + "/rollout-report.json"))
        )
        #expect(((json as? [String: Any])?["entries"] as? [Any])?.count == 75)
    }

    @Test("A second apply on the same data directory is refused with a clear message")
    func oneApplyAtATime() async throws {
        let directory = try temporaryDirectory()
        let descriptor = open(directory + "/rollout.lock", O_CREAT | O_RDWR, 0o644)
        #expect(flock(descriptor, LOCK_EX | LOCK_NB) == 0)
        defer { close(descriptor) }
        do {
            try await RolloutCommand.Apply.parse(arguments(directory)).run()
            Issue.record("a second apply ran")
        } catch {
            #expect("\(error)".contains("another rollout is running on \(directory)"))
        }
    }

    @Test("A template value missing from a row stops everything before any call, naming file, line and field")
    func badInputStopsEarly() async throws {
        let directory = try temporaryDirectory()
        let locations = directory + "/new.csv"
        try """
        id,name,postal_code,timezone,address,city,state,snapshot,phone,email,website,hours,daily_capacity
        a,Gym A,78701,America/Chicago,1 Main St,Austin,TX,snap-franchise-standard,+15550001,a@x.com,https://x.com,24h,20
        b,Gym B,75201,America/Chicago,,Dallas,TX,snap-franchise-standard,+15550002,b@x.com,https://x.com,24h,20
        """.write(toFile: locations, atomically: true, encoding: .utf8)
        var args = arguments(directory)
        args[1] = locations
        do {
            try await RolloutCommand.Plan.parse(args).run()
            Issue.record("planned with a missing value")
        } catch {
            #expect("\(error)".hasPrefix("\(locations):3: column 'address': is empty"))
        }
        // Nothing was created: the database was never even opened.
        #expect(!FileManager.default.fileExists(atPath: directory + "/switchboard.sqlite"))

        // A row without opening hours (a closed day is fine: "closed"), where the template needs them, is named too.
        try """
        id,name,postal_code,timezone,address,city,state,snapshot,phone,email,website,hours,daily_capacity
        a,Gym A,78701,America/Chicago,1 Main St,Austin,TX,snap-franchise-standard,+15550001,a@x.com,https://x.com,,20
        """.write(toFile: locations, atomically: true, encoding: .utf8)
        do {
            try await RolloutCommand.Plan.parse(args).run()
            Issue.record("planned without opening hours")
        } catch {
            #expect("\(error)".hasPrefix("\(locations):2: column 'hours': gives no hours for friday"))
        }
    }
}
