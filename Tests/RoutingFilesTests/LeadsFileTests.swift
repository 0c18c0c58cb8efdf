import Foundation
import LeadRouting
import RoutingFiles
import SwitchboardTesting
import Testing

@Suite("The leads CSV")
struct LeadsFileTests {
    @Test("rows become leads; bad postal codes are kept for routing to report")
    func reads() throws {
        let file = try LeadsFile(
            text: """
                id,postal_code,score,email,phone,source,at,latitude,longitude
                L1,78701,85,a@example.com,512-555-0100,facebook,2026-11-30T09:00:00-06:00,,
                ,abcde,,,,walk-in,,,
                L3,,,,,web-form,2026-11-30T10:00:00.250Z,30.27,-97.74
                """,
            file: "leads.csv",
            defaultArrival: Fixtures.mondayMorning
        )
        #expect(file.entries.count == 3)
        let first = file.entries[0].lead
        #expect(first.id == "L1")
        #expect(first.score == 85)
        #expect(first.arrivedAt == Fixtures.date("2026-11-30T15:00:00Z"))
        #expect(first.contactKeys == [.email("a@example.com"), .phone("5125550100")])
        let second = file.entries[1].lead
        #expect(second.postalCode == "abcde")
        #expect(second.id == "line-3")
        #expect(second.arrivedAt == Fixtures.mondayMorning)
        #expect(file.entries[2].lead.coordinate == Coordinate(latitude: 30.27, longitude: -97.74))
    }

    @Test(
        "malformed fields are pinned to line and column",
        arguments: [
            ("postal_code,score\n78701,hot\n", 2, "score"),
            ("postal_code,score\n78701,101\n", 2, "score"),
            ("postal_code,at\n78701,yesterday\n", 2, "at"),
            ("postal_code,latitude,longitude\n78701,north,1\n", 2, "latitude"),
            ("email\na@example.com\n", 1, "postal_code"),
        ]
    )
    func malformed(text: String, line: Int, column: String) {
        #expect {
            try LeadsFile(text: text, file: "leads.csv", defaultArrival: Fixtures.mondayMorning)
        } throws: { error in
            (error as! FileError).line == line && (error as! FileError).column == column
        }
    }
}
