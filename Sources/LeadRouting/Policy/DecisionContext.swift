import Foundation

/// The working state of one routing decision: the candidates assessed so far and the notes that explain them.
///
/// Candidates in reach are found at once but assessed lazily, nearest first: the explanation's listing limit and
/// the decision itself say how far to go, so a lead in a dense city costs about the same as one in the country.
struct DecisionContext {
    let table: LocationTable
    let policy: RoutingPolicy
    let leadID: String?
    let point: ResolvedPoint
    let hotLead: Bool
    /// The lead's arrival, in seconds since 1970.
    let seconds: Int64
    let ledger: CapacityLedger
    var notes: [String]
    /// Locations that may not take the lead (they had it before).
    var excluded: Set<String> = []
    /// The lead's point as a unit vector.
    let vector: SIMD3<Double>
    /// Every location within reach of the largest radius, nearest first.
    private var inReach: [(position: Int, chordSquared: Double)] = []
    /// The assessments: first those of `inReach` in order (as many as assessed so far), then any added by the
    /// sticky or territory rules from beyond reach. Kept as the explanation will list them, so explaining costs no
    /// copy.
    private var assessments: [CandidateAssessment] = []
    /// The location positions of the assessments added from beyond reach (after the in-reach ones).
    private var positionsBeyondReach: [Int] = []
    /// How many of `inReach` are assessed (they are `assessments[0..<assessedInReach]`).
    private var assessedInReach = 0
    /// The windows of the zone assessed last: neighbouring locations nearly always share a time zone.
    private var cachedZone = -1
    private var cachedWindows = CapacityWindows(secondsSince1970: 0, offsets: .utc)

    init(
        table: LocationTable,
        policy: RoutingPolicy,
        leadID: String?,
        point: ResolvedPoint,
        hotLead: Bool,
        seconds: Int64,
        ledger: CapacityLedger,
        notes: [String]
    ) {
        self.table = table
        self.policy = policy
        self.leadID = leadID
        self.point = point
        self.hotLead = hotLead
        self.seconds = seconds
        self.ledger = ledger
        self.notes = notes
        self.vector = point.coordinate.unitVector
    }

    // MARK: - Candidates

    mutating func findCandidatesInReach() {
        inReach = table.locations(within: table.maxRadius, of: vector)
        assessments.reserveCapacity(min(inReach.count, policy.explainedCandidateLimit) + 2)
    }

    /// Assesses the next candidate in reach; `false` when all are assessed.
    private mutating func assessNextInReach() -> Bool {
        guard assessedInReach < inReach.count else { return false }
        let (position, chordSquared) = inReach[assessedInReach]
        let assessment = assess(position, miles: Coordinate.distanceMiles(chordSquared: chordSquared))
        // Entries added from beyond reach stay after the in-reach ones.
        if assessments.count == assessedInReach {
            assessments.append(assessment)
        } else {
            assessments.insert(assessment, at: assessedInReach)
        }
        assessedInReach += 1
        return true
    }

    /// The location position of an entry of `assessments`.
    private func position(of index: Int) -> Int {
        index < assessedInReach ? inReach[index].position : positionsBeyondReach[index - assessedInReach]
    }

    /// Assesses candidates in reach until `count` of them are (or all are).
    private mutating func assessInReach(upTo count: Int) {
        while assessedInReach < count && assessNextInReach() {}
    }

    /// The windows of a location's zone at the lead's arrival.
    private mutating func windows(of position: Int) -> CapacityWindows {
        let zone = table.zoneOfLocation[position]
        if zone != cachedZone {
            cachedWindows = CapacityWindows(secondsSince1970: seconds, offsets: table.zones[zone])
            cachedZone = zone
        }
        return cachedWindows
    }

    /// The verdict on a location before any choice: inactive, out of its radius, full, or eligible.
    private mutating func assess(
        _ position: Int,
        miles: Double,
        ignoringRadius: Bool = false
    )
        -> CandidateAssessment
    {
        let windows = windows(of: position)
        let id = table.ids[position]
        let usage = ledger.usage(of: id, in: windows)
        let capacity = table.capacities[position]
        let status = table.statuses[position]
        let isOpen = table.hours[position].map { $0.isOpen(weekday: windows.weekday, minuteOfDay: windows.minuteOfDay) }
        let verdict: CandidateVerdict
        if excluded.contains(id) {
            verdict = .alreadyTried
        } else if status != .active {
            verdict = .inactive
        } else if !ignoringRadius && miles > table.radii[position] {
            verdict = .outOfRadius
        } else if let block = capacity.blockingWindow(for: usage, hotLead: hotLead) {
            verdict = CandidateVerdict(block)
        } else {
            verdict = .passedOver
        }
        return CandidateAssessment(
            locationID: id,
            distanceMiles: miles,
            status: status,
            radiusMiles: table.radii[position],
            usage: usage,
            dailyLimit: capacity.daily,
            weeklyLimit: capacity.weekly,
            isOpen: isOpen,
            verdict: verdict
        )
    }

    /// The index in `assessments` of a location: in reach (assessed up to it), already added, or added now from
    /// beyond reach. With `ignoringRadius`, an out-of-radius verdict is reconsidered.
    private mutating func candidate(at position: Int, ignoringRadius: Bool) -> Int {
        let index: Int
        if let reach = inReach.firstIndex(where: { $0.position == position }) {
            assessInReach(upTo: reach + 1)
            index = reach
        } else if let added = positionsBeyondReach.firstIndex(of: position) {
            index = assessedInReach + added
        } else {
            let miles = Coordinate.distanceMiles(chordSquared: table.chordSquared(from: vector, to: position))
            assessments.append(assess(position, miles: miles, ignoringRadius: ignoringRadius))
            positionsBeyondReach.append(position)
            return assessments.count - 1
        }
        if ignoringRadius && assessments[index].verdict == .outOfRadius {
            assessments[index] = assess(position, miles: assessments[index].distanceMiles, ignoringRadius: true)
        }
        return index
    }

    // MARK: - The rules, in order

    mutating func decideSticky(previous: RoutingHistory.Assignment?) -> RoutingDecision? {
        guard let previous else { return nil }
        guard let position = table.positionsByID[previous.locationID] else {
            notes.append("sticky: previous location \(previous.locationID) no longer exists")
            return nil
        }
        let candidate = candidate(at: position, ignoringRadius: false)
        guard assessments[candidate].verdict.isEligible else {
            notes.append(
                "sticky: previous location \(previous.locationID) skipped (\(assessments[candidate].verdict.rawValue))"
            )
            return nil
        }
        notes.append("sticky: same person routed to \(previous.locationID) within \(policy.stickyDays) days")
        return choose(candidate, rule: .sticky)
    }

    /// A protected territory's owner gets the lead if it is active and has capacity; its radius does not apply.
    mutating func decideTerritory() -> RoutingDecision? {
        guard let code = point.postalCode, let owners = table.territoryOwners[code] else { return nil }
        for position in owners {
            let candidate = candidate(at: position, ignoringRadius: true)
            if assessments[candidate].verdict.isEligible {
                notes.append("territory: \(code) is protected territory of \(table.ids[position])")
                return choose(candidate, rule: .territory)
            }
            notes.append(
                "territory: \(code) belongs to \(table.ids[position]), skipped "
                    + "(\(assessments[candidate].verdict.rawValue))"
            )
        }
        return nil
    }

    /// The nearest eligible location; among those within the tie tolerance of it, the best by ``tieOrder``.
    ///
    /// Candidates are assessed nearest first and only as far as needed: the listing limit, then on until an
    /// eligible one and its ties are found. With nothing eligible, every candidate in reach has been assessed.
    mutating func decideNearest() -> RoutingDecision {
        var rule = DecisionRule.nearest
        assessInReach(upTo: policy.explainedCandidateLimit)
        if policy.businessHours == .requireOpen {
            assessInReach(upTo: inReach.count)
            let eligible = assessments.contains { $0.verdict.isEligible }
            let open = assessments.contains { $0.verdict.isEligible && $0.isOpen != false }
            if open {
                for index in assessments.indices where assessments[index].verdict.isEligible {
                    if assessments[index].isOpen == false {
                        assessments[index].verdict = .closed
                        rule = .nearestOpen
                    }
                }
            } else if eligible {
                notes.append("hours: no eligible location is open; any eligible one may take the lead")
            }
        }
        // Only candidates in reach can be eligible here: the sticky and territory rules chose any other they
        // could.
        var nearest: Int?
        var index = 0
        while nearest == nil && (index < assessedInReach || assessNextInReach()) {
            if assessments[index].verdict.isEligible { nearest = index }
            index += 1
        }
        guard let nearest else { return unroutable() }
        let limit = assessments[nearest].distanceMiles + policy.tieToleranceMiles
        var tied: [Int] = []
        while index < assessedInReach || (index < inReach.count && nextInReachIsWithin(limit) && assessNextInReach()) {
            guard assessments[index].distanceMiles <= limit else { break }
            if assessments[index].verdict.isEligible { tied.append(index) }
            index += 1
        }
        guard !tied.isEmpty else { return choose(nearest, rule: rule) }
        tied.append(nearest)
        let ranked = tied.sorted { tieOrder($0, $1) }
        let tieBreak = reasonFor(ranked[0], beating: ranked[1])
        if tieBreak == .openNow { rule = .nearestOpen }
        var decision = choose(ranked[0], rule: rule)
        decision.explanation.tieBreak = tieBreak
        return decision
    }

    private func nextInReachIsWithin(_ miles: Double) -> Bool {
        Coordinate.distanceMiles(chordSquared: inReach[assessedInReach].chordSquared) <= miles
    }

    // MARK: - Ties

    private var prefersOpen: Bool { policy.businessHours == .preferOpen }

    /// Within a tie (indices into `assessments`): open first (if preferred), then lower utilisation, higher
    /// priority, id.
    private func tieOrder(_ lhs: Int, _ rhs: Int) -> Bool {
        if prefersOpen {
            let lhsOpen = assessments[lhs].isOpen != false
            let rhsOpen = assessments[rhs].isOpen != false
            if lhsOpen != rhsOpen { return lhsOpen }
        }
        let lhsUse = utilisation(lhs)
        let rhsUse = utilisation(rhs)
        if lhsUse != rhsUse { return lhsUse < rhsUse }
        return LocationTable.prefers(table.locations[position(of: lhs)], over: table.locations[position(of: rhs)])
    }

    private func reasonFor(_ winner: Int, beating runnerUp: Int) -> TieBreak {
        if prefersOpen && (assessments[winner].isOpen != false) != (assessments[runnerUp].isOpen != false) {
            return .openNow
        }
        if utilisation(winner) != utilisation(runnerUp) { return .lowerUtilisation }
        if table.locations[position(of: winner)].priority != table.locations[position(of: runnerUp)].priority {
            return .higherPriority
        }
        return .locationID
    }

    private func utilisation(_ index: Int) -> Double {
        table.capacities[position(of: index)].utilisation(of: assessments[index].usage)
    }

    // MARK: - Results

    /// The decision that assigns the lead to the candidate at an index of `assessments`.
    /// The nearest candidates are listed up to the limit whatever the rule, for context.
    private mutating func choose(_ index: Int, rule: DecisionRule) -> RoutingDecision {
        let beyondReach = index >= assessedInReach ? index - assessedInReach : nil
        let chosen = assessments[index]
        let windows = windows(of: position(of: index))
        assessInReach(upTo: policy.explainedCandidateLimit)
        assessments[beyondReach.map { assessedInReach + $0 } ?? index].verdict = .chosen
        return RoutingDecision(
            leadID: leadID,
            outcome: .assigned,
            locationID: chosen.locationID,
            distanceMiles: chosen.distanceMiles,
            hotLead: hotLead,
            windows: windows,
            explanation: makeExplanation(rule: rule)
        )
    }

    /// Nothing eligible: full locations in range make it `noCapacity`, otherwise `outOfRange`.
    private mutating func unroutable() -> RoutingDecision {
        let full = assessments.first { $0.status == .active && $0.distanceMiles <= $0.radiusMiles }
        if let full {
            notes.append("every location in range is full; \(full.locationID) is the nearest (waitlist)")
            return RoutingDecision(
                leadID: leadID,
                outcome: .noCapacity,
                nearestLocationID: full.locationID,
                nearestDistanceMiles: full.distanceMiles,
                hotLead: hotLead,
                explanation: makeExplanation(rule: .none)
            )
        }
        let nearest = table.nearestActive(to: vector)
        let distance = nearest.map { Coordinate.distanceMiles(chordSquared: table.chordSquared(from: vector, to: $0)) }
        if let nearest, let distance {
            notes.append(
                "no active location has the lead within its radius; nearest is \(table.ids[nearest]) "
                    + "at \(Self.miles(distance)) mi (radius \(Self.miles(table.radii[nearest])) mi)"
            )
        }
        return RoutingDecision(
            leadID: leadID,
            outcome: .outOfRange,
            nearestLocationID: nearest.map { table.ids[$0] },
            nearestDistanceMiles: distance,
            hotLead: hotLead,
            explanation: makeExplanation(rule: .none)
        )
    }

    private func makeExplanation(rule: DecisionRule) -> RoutingExplanation {
        RoutingExplanation(
            point: point,
            rule: rule,
            candidates: assessments,
            unlistedCandidates: inReach.count - assessedInReach,
            notes: notes
        )
    }

    /// Miles to one decimal, without going through `String(format:)` (this runs on the hot path).
    static func miles(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
