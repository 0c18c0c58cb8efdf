import Foundation
import LeadRouting
import SwitchboardTesting
import Testing

@testable import Storage

@Suite("Decision JSON")
struct DecisionWriterTests {
    @Test("The fast writer's JSON reads back as the same decision, for every outcome and explanation shape")
    func roundTrip() throws {
        var locations = Fixtures.nationwide(count: 300, directory: Fixtures.directory)
        locations[0].status = .paused
        locations[1].businessHours = try WeeklyHours(parsing: "mon-fri 05:00-22:00")
        locations[2].capacity = CapacityLimits(daily: 0, weekly: 0)
        var leads = Fixtures.nearbyLeads(count: 400, around: locations, directory: Fixtures.directory)
        locations.append(
            Fixtures.location("toronto", zip: "M5V 2T6", daily: 1, territory: ["M5V"], timeZone: "America/Toronto")
        )
        var session = RoutingSession(
            engine: try RoutingEngine(locations: locations, directory: Fixtures.directory)
        )
        leads += [
            Fixtures.lead("M5V 3L9", score: 95, email: "a@example.com"), Fixtures.lead("M5V 3L9"),
            Fixtures.lead("ABCDE"), Fixtures.lead("00001"), Fixtures.lead(nil),
            Fixtures.lead(nil, coordinate: Coordinate(latitude: 64.8, longitude: -147.7)),
            Fixtures.lead("99501\"\n\t\u{01}"),
        ]
        var outcomes: Set<RoutingOutcome> = []
        for lead in leads {
            var decision = session.route(lead)
            decision.explanation.notes.append("quote \" backslash \\ newline \n control \u{02} unicode ü 🏋️")
            outcomes.insert(decision.outcome)
            let json = DecisionWriter.json(decision)
            let decoded = try JSONDecoder().decode(RoutingDecision.self, from: Data(json.utf8))
            #expect(decoded == decision, "\(json)")
        }
        #expect(outcomes.isSuperset(of: [.assigned, .noCapacity, .outOfRange, .invalidPostalCode, .unknownPostalCode]))
    }
}
