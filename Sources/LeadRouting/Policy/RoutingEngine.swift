public import Foundation

/// Decides, for one lead, which location gets it: deterministic, explained, and fast enough to run on every lead.
///
/// Build one engine per set of locations (it indexes them) and ask it for decisions; the capacity ledger and the
/// sticky history are passed in, so the engine itself never changes and can be shared freely.
public struct RoutingEngine: Sendable {
    public let policy: RoutingPolicy
    /// The locations, in the order given.
    public let locations: [Location]

    private let directory: PostalDirectory
    private let points: [Coordinate]
    private let radii: [Double]
    private let offsets: [UTCOffsets]
    private let positionsByID: [String: Int]
    private let territoryOwners: [PostalCode: [Int]]
    private let index: SpatialIndex
    private let search: CandidateSearch
    private let maxRadius: Double
    private let activeCount: Int

    /// Indexes the locations for routing.
    /// - Throws: ``RoutingError`` for a duplicate id, a location that cannot be placed, an unknown time zone or
    ///   an inconsistent capacity.
    /// - Parameter search: How candidates are found; ``CandidateSearch/fullScan`` exists as a baseline for
    ///   benchmarks and tests, and decides exactly the same.
    public init(
        locations: [Location],
        directory: PostalDirectory,
        policy: RoutingPolicy = RoutingPolicy(),
        search: CandidateSearch = .spatialIndex
    ) throws(RoutingError) {
        var points: [Coordinate] = []
        var radii: [Double] = []
        var offsets: [UTCOffsets] = []
        var positionsByID: [String: Int] = [:]
        var territoryOwners: [PostalCode: [Int]] = [:]
        var zones: [String: UTCOffsets] = [:]
        for (position, location) in locations.enumerated() {
            guard positionsByID.updateValue(position, forKey: location.id) == nil else {
                throw RoutingError(code: .duplicateLocationID, locationID: location.id, message: "the id is used twice")
            }
            guard let point = Self.point(of: location, directory: directory) else {
                throw RoutingError(
                    code: .unlocatableLocation,
                    locationID: location.id,
                    message: location.postalCode.map {
                        "postal code \($0) is not in the reference data; give coordinates"
                    }
                        ?? "needs a postal code or valid coordinates"
                )
            }
            try Self.validate(location)
            let zone = zones[location.timeZoneIdentifier] ?? UTCOffsets(identifier: location.timeZoneIdentifier)
            guard let zone else {
                throw RoutingError(
                    code: .unknownTimeZone,
                    locationID: location.id,
                    message: "time zone '\(location.timeZoneIdentifier)' is not an IANA identifier"
                )
            }
            zones[location.timeZoneIdentifier] = zone
            points.append(point)
            radii.append(location.radiusMiles ?? policy.defaultRadiusMiles)
            offsets.append(zone)
            for code in location.territory { territoryOwners[code, default: []].append(position) }
        }
        for code in territoryOwners.keys {
            territoryOwners[code]!.sort { Self.prefers(locations[$0], over: locations[$1]) }
        }
        self.policy = policy
        self.locations = locations
        self.directory = directory
        self.points = points
        self.radii = radii
        self.offsets = offsets
        self.positionsByID = positionsByID
        self.territoryOwners = territoryOwners
        self.index = SpatialIndex(points: search == .spatialIndex ? points : [])
        self.search = search
        self.maxRadius = radii.max() ?? 0
        self.activeCount = locations.count { $0.status == .active }
    }

    /// The location with an id, if known.
    public func location(withID id: String) -> Location? {
        positionsByID[id].map { locations[$0] }
    }

    /// The point routing uses for a location (its coordinates, or its postal code's centroid).
    public func point(ofLocationWithID id: String) -> Coordinate? {
        positionsByID[id].map { points[$0] }
    }

    /// A location's capacity windows at a moment, in its own time zone.
    public func windows(ofLocationWithID id: String, at date: Date) -> CapacityWindows? {
        positionsByID[id].map { CapacityWindows(secondsSince1970: Self.seconds(date), offsets: offsets[$0]) }
    }

    /// Routes one lead.
    /// - Parameters:
    ///   - lead: The lead; its arrival time decides the capacity windows and business hours.
    ///   - ledger: Leads already assigned per location and window.
    ///   - history: Recent assignments, for sticky routing of repeat leads.
    /// - Returns: The decision with its explanation. Nothing is changed: taking the slot is the caller's step
    ///   (see ``RoutingSession``).
    public func decide(
        _ lead: Lead,
        ledger: CapacityLedger,
        history: RoutingHistory = RoutingHistory()
    ) -> RoutingDecision {
        let hotLead = (lead.score ?? 0) >= policy.hotScoreThreshold
        var notes: [String] = []
        let point: ResolvedPoint
        switch resolvePoint(of: lead, notes: &notes) {
        case .resolved(let resolved): point = resolved
        case .unroutable(let outcome):
            return RoutingDecision(
                leadID: lead.id,
                outcome: outcome,
                hotLead: hotLead,
                explanation: RoutingExplanation(point: nil, rule: .none, notes: notes)
            )
        }
        guard activeCount > 0 else {
            notes.append("no location is active")
            return RoutingDecision(
                leadID: lead.id,
                outcome: .noLocations,
                hotLead: hotLead,
                explanation: RoutingExplanation(point: point, rule: .none, notes: notes)
            )
        }
        var context = DecisionContext(
            engine: self,
            lead: lead,
            point: point,
            hotLead: hotLead,
            seconds: Self.seconds(lead.arrivedAt),
            ledger: ledger
        )
        context.gatherCandidatesInReach()
        context.notes = notes
        if let decision = context.decideSticky(history: history) { return decision }
        if let decision = context.decideTerritory() { return decision }
        return context.decideNearest()
    }

    // MARK: - Placing leads and locations

    private func resolvePoint(of lead: Lead, notes: inout [String]) -> PointResolution {
        let rawCode = lead.postalCode.map { $0.trimmingASCIISpaces() }.flatMap { $0.isEmpty ? nil : $0 }
        let code = rawCode.flatMap { PostalCode(parsing: $0) }
        if let coordinate = lead.coordinate {
            if coordinate.isValid {
                if rawCode != nil && code == nil {
                    notes.append("postal code '\(rawCode!)' is invalid; coordinates used")
                }
                return .resolved(ResolvedPoint(coordinate: coordinate, source: .coordinates, postalCode: code))
            }
            notes.append("coordinates \(coordinate) are not valid; ignored")
        }
        guard let rawCode else {
            notes.append("the lead has no postal code and no usable coordinates")
            return .unroutable(.invalidPostalCode)
        }
        guard let code else {
            notes.append("'\(rawCode)' is not a US ZIP or Canadian postal code")
            return .unroutable(.invalidPostalCode)
        }
        if let centroid = directory.point(for: code) {
            return .resolved(ResolvedPoint(coordinate: centroid, source: .postalCode, postalCode: code))
        }
        if policy.approximateUnknownZIPs, case .usZIP(let zip) = code, let area = directory.areaPoint(forZIP: zip) {
            notes.append(
                "ZIP \(zip) is not in the reference data; approximated by the mean of ZIPs \(zip.prefix(3))xx"
            )
            return .resolved(ResolvedPoint(coordinate: area, source: .approximatedZIPArea, postalCode: code))
        }
        notes.append("\(code.country == .canada ? "FSA" : "ZIP") \(code) is well formed but not in the reference data")
        return .unroutable(.unknownPostalCode)
    }

    private enum PointResolution {
        case resolved(ResolvedPoint)
        case unroutable(RoutingOutcome)
    }

    private static func point(of location: Location, directory: PostalDirectory) -> Coordinate? {
        if let coordinate = location.coordinate, coordinate.isValid { return coordinate }
        return location.postalCode.flatMap { directory.point(for: $0) }
    }

    private static func validate(_ location: Location) throws(RoutingError) {
        let capacity = location.capacity
        func fail(_ message: String) -> RoutingError {
            RoutingError(code: .invalidCapacity, locationID: location.id, message: message)
        }
        if let daily = capacity.daily, daily < 0 { throw fail("daily capacity is negative") }
        if let weekly = capacity.weekly, weekly < 0 { throw fail("weekly capacity is negative") }
        if capacity.reservedForHot < 0 { throw fail("slots reserved for hot leads are negative") }
        if let daily = capacity.daily, capacity.reservedForHot > daily {
            throw fail("reserves \(capacity.reservedForHot) slots for hot leads but takes only \(daily) a day")
        }
        if let radius = location.radiusMiles, !(radius > 0 && radius.isFinite) {
            throw fail("radius must be a positive number of miles")
        }
    }

    static func seconds(_ date: Date) -> Int64 {
        Int64(date.timeIntervalSince1970.rounded(.down))
    }

    /// Higher priority first, then id: the order among locations that are otherwise equal.
    static func prefers(_ lhs: Location, over rhs: Location) -> Bool {
        lhs.priority != rhs.priority ? lhs.priority > rhs.priority : lhs.id < rhs.id
    }

    // MARK: - One decision

    /// The working state of one decision.
    private struct DecisionContext {
        let engine: RoutingEngine
        let lead: Lead
        let point: ResolvedPoint
        let hotLead: Bool
        let seconds: Int64
        let ledger: CapacityLedger
        var notes: [String] = []
        /// Candidates in reach of the largest radius, nearest first, then any added by sticky/territory.
        var candidates: [Candidate] = []

        struct Candidate {
            var position: Int
            var windows: CapacityWindows
            var assessment: CandidateAssessment
        }

        init(
            engine: RoutingEngine,
            lead: Lead,
            point: ResolvedPoint,
            hotLead: Bool,
            seconds: Int64,
            ledger: CapacityLedger
        ) {
            self.engine = engine
            self.lead = lead
            self.point = point
            self.hotLead = hotLead
            self.seconds = seconds
            self.ledger = ledger
        }

        mutating func gatherCandidatesInReach() {
            var found: [Candidate] = []
            switch engine.search {
            case .spatialIndex:
                engine.index.forEach(within: engine.maxRadius, of: point.coordinate) { position in
                    found.append(assess(position))
                }
            case .fullScan:
                for position in engine.points.indices
                where point.coordinate.distanceMiles(to: engine.points[position]) <= engine.maxRadius {
                    found.append(assess(position))
                }
            }
            found.sort {
                ($0.assessment.distanceMiles, $0.assessment.locationID)
                    < ($1.assessment.distanceMiles, $1.assessment.locationID)
            }
            candidates = found
        }

        /// The verdict on a location before any choice: inactive, out of its radius, full, or eligible.
        func assess(_ position: Int, ignoringRadius: Bool = false) -> Candidate {
            let location = engine.locations[position]
            let windows = CapacityWindows(secondsSince1970: seconds, offsets: engine.offsets[position])
            let usage = ledger.usage(of: location.id, in: windows)
            let distance = point.coordinate.distanceMiles(to: engine.points[position])
            let isOpen = location.businessHours.map {
                $0.isOpen(weekday: windows.weekday, minuteOfDay: windows.minuteOfDay)
            }
            let verdict: CandidateVerdict
            if location.status != .active {
                verdict = .inactive
            } else if !ignoringRadius && distance > engine.radii[position] {
                verdict = .outOfRadius
            } else if let block = location.capacity.blockingWindow(for: usage, hotLead: hotLead) {
                verdict = CandidateVerdict(block)
            } else {
                verdict = .passedOver
            }
            let assessment = CandidateAssessment(
                locationID: location.id,
                distanceMiles: distance,
                status: location.status,
                radiusMiles: engine.radii[position],
                usage: usage,
                dailyLimit: location.capacity.daily,
                weeklyLimit: location.capacity.weekly,
                isOpen: isOpen,
                verdict: verdict
            )
            return Candidate(position: position, windows: windows, assessment: assessment)
        }

        mutating func decideSticky(history: RoutingHistory) -> RoutingDecision? {
            guard let previous = history.previousAssignment(of: lead, withinDays: engine.policy.stickyDays) else {
                return nil
            }
            guard let position = engine.positionsByID[previous.locationID] else {
                notes.append("sticky: previous location \(previous.locationID) no longer exists")
                return nil
            }
            let candidate = candidate(at: position, ignoringRadius: false)
            guard candidate.assessment.verdict.isEligible else {
                notes.append(
                    "sticky: previous location \(previous.locationID) skipped (\(candidate.assessment.verdict.rawValue))"
                )
                return nil
            }
            notes.append("sticky: same person routed to \(previous.locationID) within \(engine.policy.stickyDays) days")
            return choose(candidate, rule: .sticky)
        }

        mutating func decideTerritory() -> RoutingDecision? {
            guard let code = point.postalCode, let owners = engine.territoryOwners[code] else { return nil }
            for position in owners {
                let candidate = candidate(at: position, ignoringRadius: true)
                if candidate.assessment.verdict.isEligible {
                    notes.append("territory: \(code) is protected territory of \(candidate.assessment.locationID)")
                    return choose(candidate, rule: .territory)
                }
                notes.append(
                    "territory: \(code) belongs to \(candidate.assessment.locationID), skipped "
                        + "(\(candidate.assessment.verdict.rawValue))"
                )
            }
            return nil
        }

        /// The candidate at a position: the one already gathered (re-assessed if the radius is ignored) or a new
        /// entry added to the list.
        mutating func candidate(at position: Int, ignoringRadius: Bool) -> Candidate {
            if let existing = candidates.firstIndex(where: { $0.position == position }) {
                if ignoringRadius && candidates[existing].assessment.verdict == .outOfRadius {
                    candidates[existing] = assess(position, ignoringRadius: true)
                }
                return candidates[existing]
            }
            let added = assess(position, ignoringRadius: ignoringRadius)
            candidates.append(added)
            return added
        }

        mutating func decideNearest() -> RoutingDecision {
            var eligible = candidates.indices.filter { candidates[$0].assessment.verdict.isEligible }
            var rule = DecisionRule.nearest
            if engine.policy.businessHours == .requireOpen, !eligible.isEmpty {
                let open = eligible.filter { candidates[$0].assessment.isOpen != false }
                if open.isEmpty {
                    notes.append("hours: no eligible location is open; any eligible one may take the lead")
                } else {
                    for index in eligible where candidates[index].assessment.isOpen == false {
                        candidates[index].assessment.verdict = .closed
                    }
                    if open.count < eligible.count { rule = .nearestOpen }
                    eligible = open
                }
            }
            guard let nearest = eligible.first else { return unroutable() }
            let limit = candidates[nearest].assessment.distanceMiles + engine.policy.tieToleranceMiles
            let tied = eligible.prefix { candidates[$0].assessment.distanceMiles <= limit }
            var tieBreak: TieBreak?
            var winner = nearest
            if tied.count > 1 {
                let ranked = tied.sorted { tieOrder(candidates[$0], candidates[$1]) }
                winner = ranked[0]
                tieBreak = reasonFor(candidates[ranked[0]], beating: candidates[ranked[1]])
                if tieBreak == .openNow { rule = .nearestOpen }
            }
            var decision = choose(candidates[winner], rule: rule)
            decision.explanation.tieBreak = tieBreak
            return decision
        }

        private var prefersOpen: Bool { engine.policy.businessHours == .preferOpen }

        /// Within a tie: open first (if preferred), then lower utilisation, higher priority, id.
        private func tieOrder(_ lhs: Candidate, _ rhs: Candidate) -> Bool {
            if prefersOpen {
                let lhsOpen = lhs.assessment.isOpen != false
                let rhsOpen = rhs.assessment.isOpen != false
                if lhsOpen != rhsOpen { return lhsOpen }
            }
            let lhsUse = utilisation(lhs)
            let rhsUse = utilisation(rhs)
            if lhsUse != rhsUse { return lhsUse < rhsUse }
            return RoutingEngine.prefers(engine.locations[lhs.position], over: engine.locations[rhs.position])
        }

        private func reasonFor(_ winner: Candidate, beating runnerUp: Candidate) -> TieBreak {
            if prefersOpen && (winner.assessment.isOpen != false) != (runnerUp.assessment.isOpen != false) {
                return .openNow
            }
            if utilisation(winner) != utilisation(runnerUp) { return .lowerUtilisation }
            if engine.locations[winner.position].priority != engine.locations[runnerUp.position].priority {
                return .higherPriority
            }
            return .locationID
        }

        private func utilisation(_ candidate: Candidate) -> Double {
            engine.locations[candidate.position].capacity.utilisation(of: candidate.assessment.usage)
        }

        private func choose(_ candidate: Candidate, rule: DecisionRule) -> RoutingDecision {
            var explanation = makeExplanation(rule: rule)
            if let index = explanation.candidates.firstIndex(where: { $0.locationID == candidate.assessment.locationID }
            ) {
                explanation.candidates[index].verdict = .chosen
            }
            return RoutingDecision(
                leadID: lead.id,
                outcome: .assigned,
                locationID: candidate.assessment.locationID,
                distanceMiles: candidate.assessment.distanceMiles,
                hotLead: hotLead,
                windows: candidate.windows,
                explanation: explanation
            )
        }

        /// Nothing eligible: full locations in range make it `noCapacity`, otherwise `outOfRange`.
        private mutating func unroutable() -> RoutingDecision {
            let full = candidates.first {
                $0.assessment.status == .active && $0.assessment.verdict != .outOfRadius
                    && $0.assessment.distanceMiles <= $0.assessment.radiusMiles
            }
            if let full {
                notes.append("every location in range is full; \(full.assessment.locationID) is the nearest (waitlist)")
                return RoutingDecision(
                    leadID: lead.id,
                    outcome: .noCapacity,
                    nearestLocationID: full.assessment.locationID,
                    nearestDistanceMiles: full.assessment.distanceMiles,
                    hotLead: hotLead,
                    explanation: makeExplanation(rule: .none)
                )
            }
            let locations = engine.locations
            let nearest: Int?
            switch engine.search {
            case .spatialIndex:
                nearest = engine.index.nearest(to: point.coordinate) { locations[$0].status == .active }
            case .fullScan:
                nearest = locations.indices.filter { locations[$0].status == .active }.min {
                    (point.coordinate.distanceMiles(to: engine.points[$0]), locations[$0].id)
                        < (point.coordinate.distanceMiles(to: engine.points[$1]), locations[$1].id)
                }
            }
            let distance = nearest.map { point.coordinate.distanceMiles(to: engine.points[$0]) }
            if let nearest, let distance {
                notes.append(
                    "no active location has the lead within its radius; nearest is \(locations[nearest].id) "
                        + "at \(Self.miles(distance)) mi (radius \(Self.miles(engine.radii[nearest])) mi)"
                )
            }
            return RoutingDecision(
                leadID: lead.id,
                outcome: .outOfRange,
                nearestLocationID: nearest.map { locations[$0].id },
                nearestDistanceMiles: distance,
                hotLead: hotLead,
                explanation: makeExplanation(rule: .none)
            )
        }

        private func makeExplanation(rule: DecisionRule) -> RoutingExplanation {
            let limit = engine.policy.explainedCandidateLimit
            return RoutingExplanation(
                point: point,
                rule: rule,
                candidates: candidates.prefix(limit).map(\.assessment),
                unlistedCandidates: max(0, candidates.count - limit),
                notes: notes
            )
        }

        static func miles(_ value: Double) -> String {
            String(format: "%.1f", value)
        }
    }
}
