import Foundation
import LeadRouting
import PropertyBased
import SwitchboardTesting
import Testing

/// Invariants that must hold for any locations, usage and leads.
@Suite("Routing invariants")
struct RoutingPropertyTests {
    static let directory = Fixtures.directory
    /// Real ZIPs in and around Austin (and a few farther out), so that radii, ties and ranges all occur.
    static let zips: [String] = (78_600...78_800).map(String.init).filter {
        directory.point(for: .usZIP($0)) != nil
    }

    /// Locations from generated numbers: each picks a ZIP, a daily capacity (0–4), a radius and a status.
    static func locations(zipPicks: [Int], capacities: [Int]) -> [Location] {
        zipPicks.enumerated().map { index, pick in
            let capacity = capacities.isEmpty ? 3 : capacities[index % capacities.count]
            return Fixtures.location(
                "loc-\(index)",
                zip: zips[pick % zips.count],
                status: capacity == 4 && index % 3 == 0 ? .paused : .active,
                daily: capacity,
                reservedForHot: capacity >= 2 ? 1 : 0,
                radius: [10, 25, 40][pick % 3],
                priority: pick % 2
            )
        }
    }

    static func leads(zipPicks: [Int], scores: [Int]) -> [Lead] {
        zipPicks.enumerated().map { index, pick in
            Fixtures.lead(
                zips[pick % zips.count],
                id: "lead-\(index)",
                score: scores.isEmpty ? nil : scores[index % scores.count],
                at: Fixtures.mondayMorning.addingTimeInterval(Double(index) * 60)
            )
        }
    }

    @Test("the chosen location is the nearest eligible one (within the tie tolerance)")
    func nearestEligible() async {
        let index = Gen.int(in: 0...10_000)
        await propertyCheck(
            count: 200,
            input: index.array(of: 1...15),
            Gen.int(in: 0...4).array(of: 1...15),
            index.array(of: 1...40),
            Gen.int(in: 0...100).array(of: 0...5)
        ) { locationZips, capacities, leadZips, scores in
            let locations = Self.locations(zipPicks: locationZips, capacities: capacities)
            let engine = try! RoutingEngine(locations: locations, directory: Self.directory)
            var session = RoutingSession(engine: engine)
            for lead in Self.leads(zipPicks: leadZips, scores: scores) {
                let before = session.ledger
                let decision = session.route(lead)
                let point = Self.directory.point(for: PostalCode(parsing: lead.postalCode!)!)!
                let hot = (lead.score ?? 0) >= 80
                // Brute force: every location that could take the lead, with its distance.
                let eligible = locations.compactMap { location -> Double? in
                    let distance = point.distanceMiles(to: engine.point(ofLocationWithID: location.id)!)
                    let windows = engine.windows(ofLocationWithID: location.id, at: lead.arrivedAt)!
                    let usage = before.usage(of: location.id, in: windows)
                    guard location.status == .active, distance <= (location.radiusMiles ?? 25),
                        location.capacity.blockingWindow(for: usage, hotLead: hot) == nil
                    else { return nil }
                    return distance
                }
                if let nearest = eligible.min() {
                    #expect(decision.outcome == .assigned)
                    #expect((decision.distanceMiles ?? .infinity) <= nearest + 0.1 + 1e-9)
                } else {
                    #expect(decision.outcome != .assigned)
                }
            }
        }
    }

    @Test("capacity is never exceeded over any sequence of leads")
    func capacityNeverExceeded() async {
        let index = Gen.int(in: 0...10_000)
        await propertyCheck(
            count: 200,
            input: index.array(of: 1...8),
            Gen.int(in: 0...4).array(of: 1...8),
            index.array(of: 1...80),
            Gen.int(in: 0...100).array(of: 0...5)
        ) { locationZips, capacities, leadZips, scores in
            let locations = Self.locations(zipPicks: locationZips, capacities: capacities)
            let engine = try! RoutingEngine(locations: locations, directory: Self.directory)
            var session = RoutingSession(engine: engine)
            var assigned: [String: Int] = [:]
            for lead in Self.leads(zipPicks: leadZips, scores: scores) {
                let decision = session.route(lead)
                if let id = decision.locationID { assigned[id, default: 0] += 1 }
            }
            for location in locations {
                #expect(assigned[location.id, default: 0] <= location.capacity.daily!)
            }
        }
    }

    @Test("the same input always gives the same decision, whatever the order of the locations")
    func deterministic() async {
        let index = Gen.int(in: 0...10_000)
        await propertyCheck(
            count: 200,
            input: index.array(of: 1...12),
            Gen.int(in: 0...4).array(of: 1...12),
            index.array(of: 1...10)
        ) { locationZips, capacities, leadZips in
            let locations = Self.locations(zipPicks: locationZips, capacities: capacities)
            let engine = try! RoutingEngine(locations: locations, directory: Self.directory)
            let reversed = try! RoutingEngine(locations: locations.reversed(), directory: Self.directory)
            for lead in Self.leads(zipPicks: leadZips, scores: []) {
                let first = engine.decide(lead, ledger: CapacityLedger())
                #expect(engine.decide(lead, ledger: CapacityLedger()) == first)
                let other = reversed.decide(lead, ledger: CapacityLedger())
                #expect(other.locationID == first.locationID)
                #expect(other.outcome == first.outcome)
                #expect(other.explanation.candidates == first.explanation.candidates)
            }
        }
    }

    @Test("the spatial index finds the same in-range locations as a full scan, at scale")
    func indexMatchesScan() {
        let locations = Fixtures.nationwide(count: 2_000, directory: Self.directory)
        let engine = try! RoutingEngine(
            locations: locations,
            directory: Self.directory,
            policy: RoutingPolicy(defaultRadiusMiles: 60, explainedCandidateLimit: 10_000)
        )
        for zip in ["10001", "60601", "78701", "94103", "99501", "96813", "00601", "33130"] {
            let point = Self.directory.point(for: .usZIP(zip))!
            let scanned = locations.filter { location in
                point.distanceMiles(to: engine.point(ofLocationWithID: location.id)!) <= 60
            }
            let decision = engine.decide(Fixtures.lead(zip), ledger: CapacityLedger())
            #expect(Set(decision.explanation.candidates.map(\.locationID)) == Set(scanned.map(\.id)), "\(zip)")
            if scanned.isEmpty {
                // The reported nearest location is the true nearest.
                let nearest = locations.min {
                    point.distanceMiles(to: engine.point(ofLocationWithID: $0.id)!)
                        < point.distanceMiles(to: engine.point(ofLocationWithID: $1.id)!)
                }!
                #expect(decision.nearestLocationID == nearest.id)
            }
        }
    }

    @Test("the spatial index and a full scan make identical decisions")
    func indexEqualsScan() async {
        let locations = Fixtures.nationwide(count: 1_500, directory: Self.directory)
        let indexed = try! RoutingEngine(locations: locations, directory: Self.directory)
        let scanned = try! RoutingEngine(locations: locations, directory: Self.directory, search: .fullScan)
        await propertyCheck(count: 300, input: Gen.int(in: 1_000...99_999)) { number in
            let zip = String(repeating: "0", count: 5 - String(number).count) + String(number)
            let lead = Fixtures.lead(zip)
            #expect(indexed.decide(lead, ledger: CapacityLedger()) == scanned.decide(lead, ledger: CapacityLedger()))
        }
    }
}
