import Foundation
import LeadRouting
import RoutingFiles
import SwitchboardTesting
import Testing

@Suite("The locations CSV")
struct LocationsFileTests {
    let directory = Fixtures.directory

    func parse(_ text: String) throws(FileError) -> LocationsFile {
        try LocationsFile(text: text, file: "gyms.csv", directory: directory)
    }

    @Test("columns match by name in any order and any case; optional columns have defaults")
    func columns() throws {
        let file = try parse(
            """
            Postal_Code,NAME,Id,Daily_Capacity,territory,timezone,hours
            78701,Downtown,atx-downtown,40,78701;78702 78703,America/Chicago,mon-fri 05:00-22:00

            78734,Lakeway,lakeway,,,,
            """
        )
        #expect(file.entries.count == 2)
        #expect(file.entries[1].line == 4, "blank lines count towards line numbers")
        #expect(file.locations[1].timeZoneIdentifier == "UTC")
        #expect(file.locations[1].capacity.daily == nil)
        let downtown = file.locations[0]
        #expect(downtown.id == "atx-downtown")
        #expect(downtown.postalCode == .usZIP("78701"))
        #expect(downtown.capacity.daily == 40)
        #expect(downtown.capacity.weekly == nil)
        #expect(downtown.status == .active)
        #expect(downtown.territory == [.usZIP("78701"), .usZIP("78702"), .usZIP("78703")])
        #expect(downtown.timeZoneIdentifier == "America/Chicago")
        #expect(downtown.businessHours?.isOpen(weekday: 0, minuteOfDay: 6 * 60) == true)
        #expect(file.entries[0].line == 2)
    }

    @Test("coordinates can stand in for a postal code; usage columns are read")
    func coordinatesAndUsage() throws {
        let file = try parse(
            """
            id,name,latitude,longitude,leads_today,leads_this_week,status,radius_miles,priority,reserved_for_hot,weekly_capacity,daily_capacity
            cabin,Cabin Gym,44.5,-110.5,3,9,paused,50,-1,1,20,5
            """
        )
        let location = file.locations[0]
        #expect(location.coordinate == Coordinate(latitude: 44.5, longitude: -110.5))
        #expect(location.postalCode == nil)
        #expect(location.status == .paused)
        #expect(location.radiusMiles == 50)
        #expect(location.priority == -1)
        #expect(location.capacity == CapacityLimits(daily: 5, weekly: 20, reservedForHot: 1))
        #expect(file.entries[0].usage == CapacityUsage(today: 3, thisWeek: 9))
    }

    @Test(
        "a bad row names the file, line and column, and nothing is returned",
        arguments: [
            ("id,name\na,A\n", 1, "postal_code"),
            ("name,postal_code\nA,78701\n", 1, "id"),
            ("id,name,postal_code\na,A,7870\n", 2, "postal_code"),
            ("id,name,postal_code\na,A,78701\nb,B,00000\n", 3, "postal_code"),
            ("id,name,postal_code\na,A,78701\na,A2,78702\n", 3, "id"),
            ("id,name,postal_code\n,A,78701\n", 2, "id"),
            ("id,name,postal_code,status\na,A,78701,closed\n", 2, "status"),
            ("id,name,postal_code,daily_capacity\na,A,78701,ten\n", 2, "daily_capacity"),
            ("id,name,postal_code,daily_capacity\na,A,78701,-1\n", 2, "daily_capacity"),
            ("id,name,postal_code,weekly_capacity\na,A,78701,1.5\n", 2, "weekly_capacity"),
            ("id,name,postal_code,daily_capacity,reserved_for_hot\na,A,78701,2,3\n", 2, "reserved_for_hot"),
            ("id,name,postal_code,radius_miles\na,A,78701,0\n", 2, "radius_miles"),
            ("id,name,postal_code,radius_miles\na,A,78701,far\n", 2, "radius_miles"),
            ("id,name,postal_code,timezone\na,A,78701,Central\n", 2, "timezone"),
            ("id,name,postal_code,territory\na,A,78701,78702;abc\n", 2, "territory"),
            ("id,name,postal_code,hours\na,A,78701,mon 9-5\n", 2, "hours"),
            ("id,name,latitude,longitude\na,A,95,10\n", 2, "latitude"),
            ("id,name,latitude,longitude\na,A,,10\n", 2, "latitude"),
            ("id,name,latitude,longitude\na,A,,\n", 2, "postal_code"),
            ("id,name,postal_code,priority\n\na,A,78701,high\n", 3, "priority"),
        ]
    )
    func badRow(text: String, line: Int, column: String) {
        #expect {
            try parse(text)
        } throws: { error in
            let error = error as! FileError
            return error.file == "gyms.csv" && error.line == line && error.column == column
                && error.description.hasPrefix("gyms.csv:\(line): column '\(column)': ")
        }
    }

    @Test("file-level problems: empty file, header only, missing file, malformed CSV, ragged row")
    func fileProblems() {
        #expect(throws: FileError.self) { try parse("") }
        #expect { try parse("id,name,postal_code\na,A,78701,extra\n") } throws: { ($0 as! FileError).line == 2 }
        #expect {
            try LocationsFile(contentsOf: "/nonexistent/gyms.csv", directory: directory)
        } throws: { error in
            (error as! FileError).description.contains("/nonexistent/gyms.csv") && "\(error)".contains("no such file")
        }
    }

    @Test("a header with no rows is a franchise with no locations yet: every lead is noLocations")
    func headerOnly() throws {
        let file = try parse("id,name,postal_code\n")
        #expect(file.locations.isEmpty)
        var session = try file.makeSession(directory: directory, policy: RoutingPolicy(), at: Fixtures.mondayMorning)
        let decision = session.route(Fixtures.lead("78701"))
        #expect(decision.outcome == .noLocations)
    }

    @Test("the example franchise file loads: 25 gyms in 5 states, all routable")
    func exampleFranchise() throws {
        let path = URL(filePath: #filePath).deletingLastPathComponent().appending(
            path: "../../examples/franchise-25.csv"
        )
        let file = try LocationsFile(contentsOf: path.path(), directory: directory)
        #expect(file.locations.count == 25)
        #expect(Set(file.locations.map(\.timeZoneIdentifier)).count >= 4)
        #expect(file.locations.contains { !$0.territory.isEmpty })
        let session = try file.makeSession(directory: directory, policy: RoutingPolicy(), at: Fixtures.mondayMorning)
        #expect(session.engine.locations.count == 25)
    }
}
