import ArgumentParser
import Foundation
import RoutingFiles
import SwitchboardTesting
import Testing

@testable import SwitchboardCommands

@Suite("switchboard route")
struct RouteCommandTests {
    static let examples = URL(filePath: #filePath).deletingLastPathComponent().appending(path: "../../examples")
    static let franchise = examples.appending(path: "franchise-25.csv").path()
    static let sample = examples.appending(path: "leads-sample.csv").path()

    /// Parses arguments as the executable would and runs the route, returning the lines it writes.
    func run(_ arguments: [String]) throws -> [String] {
        let command = try RouteCommand.parse(arguments)
        var lines: [String] = []
        try command.makeRun(now: Fixtures.mondayMorning).execute { lines.append($0) }
        return lines
    }

    func json(_ line: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test("one lead as JSON: a single object with the documented keys")
    func singleJSON() throws {
        let lines = try run(["--locations", Self.franchise, "--zip", "78745-1234", "--score", "90", "--json"])
        #expect(lines.count == 1)
        let object = try json(lines[0])
        #expect(object["outcome"] as? String == "assigned")
        #expect(object["locationId"] as? String == "atx-south")
        #expect((object["distanceMiles"] as? Double).map { $0 < 1 } == true)
        let explanation = try #require(object["explanation"] as? [String: Any])
        #expect((explanation["summary"] as? String)?.contains("atx-south") == true)
        #expect((explanation["candidates"] as? [Any])?.isEmpty == false)
    }

    @Test("an unroutable lead still prints locationId and distanceMiles, as null")
    func nullsPresent() throws {
        let object = try json(try run(["--locations", Self.franchise, "--zip", "abcde", "--json"])[0])
        #expect(object["outcome"] as? String == "invalidPostalCode")
        #expect(object.keys.contains("locationId") && object["locationId"] is NSNull)
        #expect(object.keys.contains("distanceMiles") && object["distanceMiles"] is NSNull)
    }

    @Test("coordinates and --radius are honoured")
    func coordinatesAndRadius() throws {
        // A point in the Texas Hill Country, about 45 miles west of Austin.
        let far = try json(try run(["--locations", Self.franchise, "--lat", "30.28", "--lon", "-98.42", "--json"])[0])
        #expect(far["outcome"] as? String == "outOfRange")
        #expect(far["nearestLocationId"] as? String != nil)
        // The example file gives every gym its own radius, so --radius only matters for files that do not.
        let csv = FileManager.default.temporaryDirectory.appending(path: "route-radius-\(UUID()).csv")
        try "id,name,postal_code\natx,Austin,78701\n".write(to: csv, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: csv) }
        let near = try json(try run(["--locations", csv.path(), "--lat", "30.28", "--lon", "-98.42", "--json"])[0])
        #expect(near["outcome"] as? String == "outOfRange")
        let wide = try json(
            try run(["--locations", csv.path(), "--lat", "30.28", "--lon", "-98.42", "--radius", "60", "--json"])[0]
        )
        #expect(wide["outcome"] as? String == "assigned")
    }

    @Test("a leads file: one line per lead in file order, then a summary that adds up")
    func leadsFile() throws {
        let lines = try run([
            "--locations", Self.franchise, "--leads", Self.sample, "--json", "--at", "2026-11-30T12:00:00Z",
        ])
        let leadCount = try LeadsFile(contentsOf: Self.sample, defaultArrival: Fixtures.mondayMorning).entries.count
        #expect(lines.count == leadCount + 1)
        let decisions = try lines.dropLast().map(json)
        #expect(decisions.compactMap { $0["line"] as? Int } == decisions.indices.map { $0 + 2 })
        let summary = try #require(try json(lines.last!)["summary"] as? [String: Any])
        #expect(summary["leads"] as? Int == leadCount)
        let outcomes = try #require(summary["outcomes"] as? [String: Int])
        for outcome in ["assigned", "noCapacity", "outOfRange", "invalidPostalCode", "unknownPostalCode"] {
            let counted = decisions.count { $0["outcome"] as? String == outcome }
            #expect(outcomes[outcome] == counted, "\(outcome)")
            #expect(counted > 0, "the sample exercises \(outcome)")
        }
        let perLocation = try #require(summary["locations"] as? [String: Int])
        #expect(perLocation.values.reduce(0, +) == outcomes["assigned"])
        #expect(decisions.contains { $0["rule"] as? String == "sticky" })
        #expect(decisions.contains { $0["rule"] as? String == "territory" })
    }

    @Test("the readable table ends with the counts")
    func table() throws {
        let lines = try run(["--locations", Self.franchise, "--leads", Self.sample])
        #expect(lines.first?.hasPrefix("lead") == true)
        #expect(lines.last?.contains("Per location") == true || lines.contains { $0.contains("leads routed") })
        let single = try run(["--locations", Self.franchise, "--zip", "30303"])
        #expect(single[0].contains("Outcome:   assigned → atl-downtown"))
    }

    @Test(
        "bad arguments are refused before anything runs",
        arguments: [
            ["--locations", "x.csv"],
            ["--locations", "x.csv", "--zip", "78701", "--leads", "l.csv"],
            ["--locations", "x.csv", "--lat", "30.2"],
            ["--locations", "x.csv", "--zip", "78701", "--score", "101"],
            ["--locations", "x.csv", "--zip", "78701", "--at", "tomorrow"],
            ["--locations", "x.csv", "--zip", "78701", "--radius", "0"],
            ["--locations", "x.csv", "--zip", "78701", "--business-hours", "sometimes"],
            ["--zip", "78701"],
        ]
    )
    func badArguments(arguments: [String]) {
        #expect(throws: (any Error).self) { try RouteCommand.parse(arguments) }
    }

    @Test("a bad locations file fails with file, line and column, and routes nothing")
    func badLocations() throws {
        let csv = FileManager.default.temporaryDirectory.appending(path: "route-bad-\(UUID()).csv")
        try "id,name,postal_code,daily_capacity\na,A,78701,10\nb,B,78702,lots\n".write(
            to: csv,
            atomically: true,
            encoding: .utf8
        )
        defer { try? FileManager.default.removeItem(at: csv) }
        var lines: [String] = []
        #expect {
            try RouteCommand.parse(["--locations", csv.path(), "--zip", "78701"])
                .makeRun(now: Fixtures.mondayMorning).execute { lines.append($0) }
        } throws: { error in
            "\(error)" == "\(csv.path()):3: column 'daily_capacity': 'lots' is not a whole number of 0 or more"
        }
        #expect(lines.isEmpty)
    }
}
