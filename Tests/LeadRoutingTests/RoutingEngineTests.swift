import Foundation
import LeadRouting
import SwitchboardTesting
import Testing

@Suite("Routing policy, step by step")
struct RoutingEngineTests {
    let directory = Fixtures.directory

    func engine(
        _ locations: [Location] = Fixtures.austin,
        policy: RoutingPolicy = RoutingPolicy()
    ) throws
        -> RoutingEngine
    {
        try RoutingEngine(locations: locations, directory: directory, policy: policy)
    }

    /// A ledger where each named location has the given usage at the lead's time.
    func ledger(
        _ engine: RoutingEngine,
        _ usage: [String: CapacityUsage],
        at date: Date = Fixtures.mondayMorning
    )
        -> CapacityLedger
    {
        var ledger = CapacityLedger()
        for (id, used) in usage {
            ledger.setUsage(used, of: id, in: engine.windows(ofLocationWithID: id, at: date)!)
        }
        return ledger
    }

    @Test("the nearest eligible location gets the lead, with the distance and every candidate explained")
    func nearest() throws {
        let decision = try engine().decide(Fixtures.lead("78703"), ledger: CapacityLedger())
        #expect(decision.outcome == .assigned)
        #expect(decision.locationID == "atx-downtown")
        #expect(abs(try #require(decision.distanceMiles) - 2.10) <= 0.5)
        #expect(decision.explanation.rule == .nearest)
        #expect(decision.explanation.point?.source == .postalCode)
        #expect(decision.explanation.candidates.map(\.locationID) == ["atx-downtown", "atx-south", "round-rock"])
        #expect(decision.explanation.candidates.map(\.verdict) == [.chosen, .passedOver, .passedOver])
        #expect(decision.summary.contains("Assigned to atx-downtown"))
    }

    @Test(
        "leads that cannot be placed get their outcome and no location",
        arguments: [
            ("1234", RoutingOutcome.invalidPostalCode),
            ("abcde", .invalidPostalCode),
            ("", .invalidPostalCode),
            ("00000", .unknownPostalCode),
            ("99999", .unknownPostalCode),
            ("78799", .unknownPostalCode),
            ("X9X 9X9", .unknownPostalCode),
        ]
    )
    func unplaceable(code: String, outcome: RoutingOutcome) throws {
        let decision = try engine().decide(Fixtures.lead(code), ledger: CapacityLedger())
        #expect(decision.outcome == outcome)
        #expect(decision.locationID == nil)
        #expect(decision.explanation.point == nil)
        #expect(!decision.explanation.notes.isEmpty)
    }

    @Test("a lead with neither postal code nor coordinates is invalid")
    func nothingToPlace() throws {
        let decision = try engine().decide(Fixtures.lead(nil), ledger: CapacityLedger())
        #expect(decision.outcome == .invalidPostalCode)
    }

    @Test("an unknown ZIP is approximated by its 3-digit area only when the policy allows, and says so")
    func approximation() throws {
        let policy = RoutingPolicy(approximateUnknownZIPs: true)
        let decision = try engine(policy: policy).decide(Fixtures.lead("78799"), ledger: CapacityLedger())
        #expect(decision.outcome == .assigned)
        #expect(decision.explanation.point?.source == .approximatedZIPArea)
        #expect(decision.summary.contains("approximately"))
        #expect(decision.explanation.notes.contains { $0.contains("787xx") })
        // Unknown Canadian codes are never approximated.
        let canadian = try engine(policy: policy).decide(Fixtures.lead("X9X"), ledger: CapacityLedger())
        #expect(canadian.outcome == .unknownPostalCode)
    }

    @Test("valid coordinates win over the postal code; invalid ones are ignored")
    func coordinatesWin() throws {
        let downtown = try #require(directory.point(for: .usZIP("78701")))
        let engine = try engine()
        let withCoordinates = engine.decide(Fixtures.lead("78745", coordinate: downtown), ledger: CapacityLedger())
        #expect(withCoordinates.locationID == "atx-downtown")
        #expect(withCoordinates.explanation.point?.source == .coordinates)
        let placeholder = Coordinate(latitude: 0, longitude: 0)
        let ignored = engine.decide(Fixtures.lead("78745", coordinate: placeholder), ledger: CapacityLedger())
        #expect(ignored.locationID == "atx-south")
        #expect(ignored.explanation.point?.source == .postalCode)
    }

    @Test("a full location is skipped with its capacity state, and the next nearest takes the lead")
    func fullSkipped() throws {
        let engine = try engine()
        let decision = engine.decide(
            Fixtures.lead("78703"),
            ledger: ledger(engine, ["atx-downtown": CapacityUsage(today: 10, thisWeek: 10)])
        )
        #expect(decision.locationID == "atx-south")
        let downtown = try #require(decision.explanation.candidates.first { $0.locationID == "atx-downtown" })
        #expect(downtown.verdict == .dayFull)
        #expect(downtown.usage.today == 10)
        #expect(decision.summary.contains("full today"))
    }

    @Test("the weekly window blocks too")
    func weekFull() throws {
        let locations =
            [Fixtures.location("atx-downtown", zip: "78701", daily: 10, weekly: 30)] + Fixtures.austin.dropFirst()
        let engine = try engine(locations)
        let decision = engine.decide(
            Fixtures.lead("78703"),
            ledger: ledger(engine, ["atx-downtown": CapacityUsage(today: 0, thisWeek: 30)])
        )
        #expect(decision.locationID == "atx-south")
        #expect(decision.explanation.candidates.first?.verdict == .weekFull)
    }

    @Test("all in range full: noCapacity, with the nearest full one as the waitlist location")
    func noCapacity() throws {
        let engine = try engine()
        let full = CapacityUsage(today: 10, thisWeek: 10)
        let decision = engine.decide(
            Fixtures.lead("78703"),
            ledger: ledger(engine, ["atx-downtown": full, "atx-south": full, "round-rock": full])
        )
        #expect(decision.outcome == .noCapacity)
        #expect(decision.locationID == nil)
        #expect(decision.nearestLocationID == "atx-downtown")
        #expect(abs(try #require(decision.nearestDistanceMiles) - 2.10) <= 0.5)
        #expect(decision.outcome.needsReview)
    }

    @Test("none within radius: outOfRange, naming the nearest active location and its distance")
    func outOfRange() throws {
        let decision = try engine().decide(Fixtures.lead("75201"), ledger: CapacityLedger())
        #expect(decision.outcome == .outOfRange)
        #expect(decision.nearestLocationID == "round-rock")
        let dallas = try #require(directory.point(for: .usZIP("75201")))
        let roundRock = try #require(directory.point(for: .usZIP("78664")))
        #expect(abs(try #require(decision.nearestDistanceMiles) - dallas.distanceMiles(to: roundRock)) < 0.01)
        #expect(decision.summary.contains("Out of range"))
    }

    @Test("a location's own radius counts, not just the default")
    func ownRadius() throws {
        let locations = [Fixtures.location("round-rock", zip: "78664", radius: 5)]
        let decision = try engine(locations).decide(Fixtures.lead("78703"), ledger: CapacityLedger())
        #expect(decision.outcome == .outOfRange)
        let wide = try engine([Fixtures.location("round-rock", zip: "78664", radius: 30)])
        #expect(wide.decide(Fixtures.lead("78703"), ledger: CapacityLedger()).locationID == "round-rock")
    }

    @Test("no active location at all: noLocations", arguments: [LocationStatus.paused, .onboarding, .quarantined])
    func noLocations(status: LocationStatus) throws {
        let locations = Fixtures.austin.map { location in
            var location = location
            location.status = status
            return location
        }
        let decision = try engine(locations).decide(Fixtures.lead("78703"), ledger: CapacityLedger())
        #expect(decision.outcome == .noLocations)
    }

    @Test(
        "inactive locations are listed as skipped, never chosen",
        arguments: [LocationStatus.paused, .onboarding, .quarantined]
    )
    func inactiveSkipped(status: LocationStatus) throws {
        var locations = Fixtures.austin
        locations[0].status = status
        let decision = try engine(locations).decide(Fixtures.lead("78703"), ledger: CapacityLedger())
        #expect(decision.locationID == "atx-south")
        #expect(decision.explanation.candidates.first?.verdict == .inactive)
        #expect(decision.explanation.candidates.first?.status == status)
    }

    @Test("slots reserved for hot leads are kept for leads scoring at least the threshold")
    func hotReserve() throws {
        let locations =
            [Fixtures.location("atx-downtown", zip: "78701", daily: 10, reservedForHot: 2)]
            + Fixtures.austin.dropFirst()
        let engine = try engine(locations)
        let used = ledger(engine, ["atx-downtown": CapacityUsage(today: 8, thisWeek: 8)])
        let cold = engine.decide(Fixtures.lead("78703", score: 79), ledger: used)
        #expect(cold.locationID == "atx-south")
        #expect(cold.explanation.candidates.first?.verdict == .reservedForHot)
        let unscored = engine.decide(Fixtures.lead("78703"), ledger: used)
        #expect(unscored.locationID == "atx-south")
        let hot = engine.decide(Fixtures.lead("78703", score: 80), ledger: used)
        #expect(hot.locationID == "atx-downtown")
        #expect(hot.hotLead)
        let full = ledger(engine, ["atx-downtown": CapacityUsage(today: 10, thisWeek: 10)])
        #expect(engine.decide(Fixtures.lead("78703", score: 95), ledger: full).locationID == "atx-south")
    }

    @Test("a repeat lead goes back to its previous location within the sticky window")
    func sticky() throws {
        var session = RoutingSession(engine: try engine())
        let first = session.route(Fixtures.lead("78745", email: "jane@example.com"))
        #expect(first.locationID == "atx-south")

        let thirtyDaysLater = Fixtures.mondayMorning.addingTimeInterval(30 * 86_400)
        let again = session.route(Fixtures.lead("78703", email: " JANE@example.com", at: thirtyDaysLater))
        #expect(again.locationID == "atx-south")
        #expect(again.explanation.rule == .sticky)

        let byPhone = session.route(
            Fixtures.lead("78703", phone: "(512) 555-0100", at: thirtyDaysLater)
        )
        #expect(byPhone.locationID == "atx-downtown")
        let phoneAgain = session.route(
            Fixtures.lead("78745", phone: "+1 512 555 0100", at: thirtyDaysLater.addingTimeInterval(60))
        )
        #expect(phoneAgain.locationID == "atx-downtown")
        #expect(phoneAgain.explanation.rule == .sticky)

        let muchLater = thirtyDaysLater.addingTimeInterval(91 * 86_400)
        let expired = session.route(Fixtures.lead("78703", email: "jane@example.com", at: muchLater))
        #expect(expired.locationID == "atx-downtown")
        #expect(expired.explanation.rule == .nearest)
    }

    @Test("a sticky location that is no longer eligible is skipped, and the note says why")
    func stickyIneligible() throws {
        var history = RoutingHistory()
        history.record(Fixtures.lead("78745", email: "jane@example.com"), assignedTo: "atx-south")
        var locations = Fixtures.austin
        locations[1].status = .paused
        let decision = try engine(locations).decide(
            Fixtures.lead("78703", email: "jane@example.com", at: Fixtures.mondayMorning.addingTimeInterval(3600)),
            ledger: CapacityLedger(),
            history: history
        )
        #expect(decision.locationID == "atx-downtown")
        #expect(decision.explanation.notes.contains { $0.contains("sticky") && $0.contains("inactive") })
    }

    @Test("protected territory wins over distance, unless its owner is not eligible")
    func territory() throws {
        var locations = Fixtures.austin
        locations[2] = Fixtures.location("round-rock", zip: "78664", radius: 5, territory: ["78703", "78704"])
        let engine = try engine(locations)
        let owned = engine.decide(Fixtures.lead("78703"), ledger: CapacityLedger())
        #expect(owned.locationID == "round-rock")
        #expect(owned.explanation.rule == .territory)
        #expect(owned.explanation.candidates.contains { $0.locationID == "round-rock" && $0.verdict == .chosen })

        let full = engine.decide(
            Fixtures.lead("78703"),
            ledger: ledger(engine, ["round-rock": CapacityUsage(today: 10, thisWeek: 10)])
        )
        #expect(full.locationID == "atx-downtown")
        #expect(full.explanation.rule == .nearest)
        #expect(full.explanation.notes.contains { $0.contains("territory") && $0.contains("dayFull") })
    }

    @Test(
        "ties within 0.1 mi go to lower utilisation, then higher priority, then id",
        arguments: [
            // (usage of a, usage of b, priority of a, priority of b, expected winner, tie break)
            (0, 0, 0, 0, "a", TieBreak.locationID),
            (0, 0, 0, 1, "b", .higherPriority),
            (5, 0, 1, 0, "b", .lowerUtilisation),
            (0, 5, 0, 1, "a", .lowerUtilisation),
        ]
    )
    func ties(usageA: Int, usageB: Int, priorityA: Int, priorityB: Int, winner: String, tieBreak: TieBreak) throws {
        let locations = [
            Fixtures.location("b", zip: "78701", priority: priorityB),
            Fixtures.location("a", zip: "78701", priority: priorityA),
        ]
        let engine = try engine(locations)
        let decision = engine.decide(
            Fixtures.lead("78703"),
            ledger: ledger(
                engine,
                [
                    "a": CapacityUsage(today: usageA, thisWeek: usageA),
                    "b": CapacityUsage(today: usageB, thisWeek: usageB),
                ]
            )
        )
        #expect(decision.locationID == winner)
        #expect(decision.explanation.tieBreak == tieBreak)
    }

    @Test("business hours: ignored by default, required (with fall-back), or preferred among ties")
    func businessHours() throws {
        // Monday 06:00 in Chicago: downtown opens at 07:00, south is open all day.
        let early = Fixtures.date("2026-11-30T12:00:00Z")
        let locations = [
            Fixtures.location("atx-downtown", zip: "78701", hours: "mon-fri 07:00-22:00"),
            Fixtures.location("atx-south", zip: "78745", hours: "24h"),
        ]
        let lead = Fixtures.lead("78703", at: early)
        let ignore = try engine(locations).decide(lead, ledger: CapacityLedger())
        #expect(ignore.locationID == "atx-downtown")
        #expect(ignore.explanation.candidates.first?.isOpen == false)

        let require = try engine(locations, policy: RoutingPolicy(businessHours: .requireOpen))
        let required = require.decide(lead, ledger: CapacityLedger())
        #expect(required.locationID == "atx-south")
        #expect(required.explanation.rule == .nearestOpen)
        #expect(required.explanation.candidates.first?.verdict == .closed)

        let allClosed = [Fixtures.location("atx-downtown", zip: "78701", hours: "mon-fri 07:00-22:00")]
        let fallback = try engine(allClosed, policy: RoutingPolicy(businessHours: .requireOpen))
            .decide(lead, ledger: CapacityLedger())
        #expect(fallback.locationID == "atx-downtown")
        #expect(fallback.explanation.notes.contains { $0.contains("no eligible location is open") })

        let twins = [
            Fixtures.location("a-closed", zip: "78701", hours: "mon-fri 07:00-22:00"),
            Fixtures.location("b-open", zip: "78701", hours: "24h"),
        ]
        let preferred = try engine(twins, policy: RoutingPolicy(businessHours: .preferOpen))
            .decide(lead, ledger: CapacityLedger())
        #expect(preferred.locationID == "b-open")
        #expect(preferred.explanation.tieBreak == .openNow)
        let ignored = try engine(twins).decide(lead, ledger: CapacityLedger())
        #expect(ignored.locationID == "a-closed")
    }

    @Test("bad location sets are rejected with the location named")
    func invalidLocations() {
        #expect(throws: RoutingError.self) {
            try RoutingEngine(locations: [Fixtures.austin[0], Fixtures.austin[0]], directory: directory)
        }
        let nowhere = Location(id: "nowhere", name: "Nowhere", postalCode: .usZIP("00000"))
        #expect {
            try RoutingEngine(locations: [nowhere], directory: directory)
        } throws: { error in
            (error as? RoutingError)?.code == .unlocatableLocation && (error as? RoutingError)?.locationID == "nowhere"
        }
        var badZone = Fixtures.austin[0]
        badZone.timeZoneIdentifier = "Mars/Olympus"
        #expect { try RoutingEngine(locations: [badZone], directory: directory) } throws: { error in
            (error as? RoutingError)?.code == .unknownTimeZone
        }
    }

    @Test("a territory owner beyond everyone's reach is still found, chosen and listed")
    func territoryBeyondReach() throws {
        let locations = [
            Fixtures.location("atx-downtown", zip: "78701", radius: 5),
            Fixtures.location("round-rock", zip: "78664", radius: 5, territory: ["78703"]),
        ]
        let decision = try engine(locations).decide(Fixtures.lead("78703"), ledger: CapacityLedger())
        #expect(decision.locationID == "round-rock")
        #expect(decision.explanation.rule == .territory)
        #expect(decision.explanation.candidates.map(\.locationID) == ["atx-downtown", "round-rock"])
        #expect(decision.explanation.candidates.last?.verdict == .chosen)
    }

    @Test("the explanation lists the nearest candidates up to the limit, then counts the rest")
    func listingLimit() throws {
        let zips = RoutingPropertyTests.zips.prefix(40)
        let locations = zips.map { Fixtures.location("gym-\($0)", zip: $0, radius: 200) }
        let policy = RoutingPolicy(explainedCandidateLimit: 5)
        let engine = try engine(locations, policy: policy)
        let decision = engine.decide(Fixtures.lead("78703"), ledger: CapacityLedger())
        #expect(decision.explanation.candidates.count == 5)
        #expect(decision.explanation.candidates.count + decision.explanation.unlistedCandidates == locations.count)
        let distances = decision.explanation.candidates.map(\.distanceMiles)
        #expect(distances == distances.sorted())

        // When the nearest ones are all full, the decision looks farther, and lists what it looked at.
        var ledger = CapacityLedger()
        for assessment in decision.explanation.candidates {
            let windows = engine.windows(ofLocationWithID: assessment.locationID, at: Fixtures.mondayMorning)!
            ledger.setUsage(CapacityUsage(today: 10, thisWeek: 10), of: assessment.locationID, in: windows)
        }
        let farther = engine.decide(Fixtures.lead("78703"), ledger: ledger)
        #expect(farther.outcome == .assigned)
        #expect(farther.explanation.candidates.count == 6)
        #expect(farther.explanation.candidates.last?.verdict == .chosen)
        #expect(farther.explanation.candidates.prefix(5).allSatisfy { $0.verdict == .dayFull })
    }
}
