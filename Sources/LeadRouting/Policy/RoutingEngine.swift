public import Foundation

/// Decides, for one lead, which location gets it: deterministic, explained, and fast enough to run on every lead.
///
/// Build one engine per set of locations (it indexes them) and ask it for decisions; the capacity ledger and the
/// sticky history are passed in, so the engine itself never changes and can be shared freely.
public struct RoutingEngine: Sendable {
    public let policy: RoutingPolicy
    private let table: LocationTable
    private let directory: PostalDirectory

    /// The locations, in the order given.
    public var locations: [Location] { table.locations }

    /// Indexes the locations for routing.
    /// - Parameter search: How candidates are found; ``CandidateSearch/fullScan`` exists as a baseline for
    ///   benchmarks and tests, and decides exactly the same.
    /// - Throws: ``RoutingError`` for a duplicate id, a location that cannot be placed, an unknown time zone or
    ///   an inconsistent capacity.
    public init(
        locations: [Location],
        directory: PostalDirectory,
        policy: RoutingPolicy = RoutingPolicy(),
        search: CandidateSearch = .spatialIndex
    ) throws(RoutingError) {
        self.policy = policy
        self.directory = directory
        self.table = try LocationTable(
            locations: locations,
            directory: directory,
            defaultRadiusMiles: policy.defaultRadiusMiles,
            search: search
        )
    }

    /// The location with an id, if known.
    public func location(withID id: String) -> Location? {
        table.positionsByID[id].map { table.locations[$0] }
    }

    /// The point routing uses for a location (its coordinates, or its postal code's centroid).
    public func point(ofLocationWithID id: String) -> Coordinate? {
        table.positionsByID[id].map { table.points[$0] }
    }

    /// A location's capacity windows at a moment, in its own time zone.
    public func windows(ofLocationWithID id: String, at date: Date) -> CapacityWindows? {
        table.positionsByID[id].map {
            CapacityWindows(secondsSince1970: Self.seconds(date), offsets: table.zones[table.zoneOfLocation[$0]])
        }
    }

    /// Routes one lead.
    /// - Parameters:
    ///   - lead: The lead; its arrival time decides the capacity windows and business hours.
    ///   - ledger: Leads already assigned per location and window.
    ///   - history: Recent assignments, for sticky routing of repeat leads.
    ///   - excluding: Locations that may not take the lead (an SLA re-route excludes those that had it).
    ///   - hours: What business hours do to this decision, instead of the policy's rule.
    /// - Returns: The decision with its explanation. Nothing is changed: taking the slot is the caller's step
    ///   (see ``RoutingSession``).
    public func decide(
        _ lead: Lead,
        ledger: CapacityLedger,
        history: RoutingHistory = RoutingHistory(),
        excluding: Set<String> = [],
        hours: BusinessHoursRule? = nil
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
        guard table.activeCount > 0 else {
            notes.append("no location is active")
            return RoutingDecision(
                leadID: lead.id,
                outcome: .noLocations,
                hotLead: hotLead,
                explanation: RoutingExplanation(point: point, rule: .none, notes: notes)
            )
        }
        var policy = self.policy
        if let hours { policy.businessHours = hours }
        var context = DecisionContext(
            table: table,
            policy: policy,
            leadID: lead.id,
            point: point,
            hotLead: hotLead,
            seconds: Self.seconds(lead.arrivedAt),
            ledger: ledger,
            notes: notes
        )
        context.excluded = excluding
        context.findCandidatesInReach()
        if let decision = context.decideSticky(
            previous: history.previousAssignment(of: lead, withinDays: policy.stickyDays)
        ) {
            return decision
        }
        if let decision = context.decideTerritory() { return decision }
        return context.decideNearest()
    }

    // MARK: - Placing leads

    private enum PointResolution {
        case resolved(ResolvedPoint)
        case unroutable(RoutingOutcome)
    }

    private func resolvePoint(of lead: Lead, notes: inout [String]) -> PointResolution {
        let rawCode = lead.postalCode.flatMap { $0.utf8.allSatisfy(\.isASCIISpace) ? nil : $0 }
        let code = rawCode.flatMap { PostalCode(parsing: $0) }
        if let coordinate = lead.coordinate {
            if coordinate.isValid {
                if let rawCode, code == nil {
                    notes.append("postal code '\(rawCode)' is invalid; coordinates used")
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
            notes.append("'\(rawCode.trimmingASCIISpaces())' is not a US ZIP or Canadian postal code")
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
        notes.append(
            "\(code.country == .canada ? "FSA" : "ZIP") \(code) is well formed but not in the reference data"
        )
        return .unroutable(.unknownPostalCode)
    }

    static func seconds(_ date: Date) -> Int64 {
        Int64(date.timeIntervalSince1970.rounded(.down))
    }
}
