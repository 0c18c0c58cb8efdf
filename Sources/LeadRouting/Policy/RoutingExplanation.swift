/// Why a lead went where it went: the point it was placed at, the candidates looked at, and the deciding rule.
///
/// Built on every decision, so it holds plain values; ``summary`` renders it for people.
public struct RoutingExplanation: Sendable, Hashable, Codable {
    /// Where the lead was placed, or `nil` when it could not be.
    public var point: ResolvedPoint?
    public var rule: DecisionRule
    /// How a tie between equally near locations was broken, if there was one.
    public var tieBreak: TieBreak?
    /// The locations considered, nearest first (the sticky and territory candidates too).
    public var candidates: [CandidateAssessment]
    /// Locations within reach that were considered but not listed (beyond the policy's listing limit).
    public var unlistedCandidates: Int
    /// Steps worth telling that are not in the candidate list: sticky and territory checks, fall-backs.
    public var notes: [String]

    public init(
        point: ResolvedPoint?,
        rule: DecisionRule,
        tieBreak: TieBreak? = nil,
        candidates: [CandidateAssessment] = [],
        unlistedCandidates: Int = 0,
        notes: [String] = []
    ) {
        self.point = point
        self.rule = rule
        self.tieBreak = tieBreak
        self.candidates = candidates
        self.unlistedCandidates = unlistedCandidates
        self.notes = notes
    }
}

/// How a lead's position was found.
public struct ResolvedPoint: Sendable, Hashable, Codable {
    public enum Source: String, Sendable, Hashable, Codable {
        /// The lead's own latitude and longitude.
        case coordinates
        /// The centroid of the lead's postal code.
        case postalCode
        /// The mean of the known ZIPs sharing the unknown ZIP's first three digits (opt-in approximation).
        case approximatedZIPArea
    }

    public var coordinate: Coordinate
    public var source: Source
    /// The normalised postal code, when the lead had a valid one.
    public var postalCode: PostalCode?

    public init(coordinate: Coordinate, source: Source, postalCode: PostalCode?) {
        self.coordinate = coordinate
        self.source = source
        self.postalCode = postalCode
    }
}

/// What was decided about one candidate location.
public struct CandidateAssessment: Sendable, Hashable, Codable {
    public var locationID: String
    public var distanceMiles: Double
    public var status: LocationStatus
    public var radiusMiles: Double
    /// Leads already assigned in the location's current windows.
    public var usage: CapacityUsage
    public var dailyLimit: Int?
    public var weeklyLimit: Int?
    /// Whether the location is open at the lead's arrival (`nil` when it has no hours).
    public var isOpen: Bool?
    public var verdict: CandidateVerdict

    public init(
        locationID: String,
        distanceMiles: Double,
        status: LocationStatus,
        radiusMiles: Double,
        usage: CapacityUsage,
        dailyLimit: Int?,
        weeklyLimit: Int?,
        isOpen: Bool?,
        verdict: CandidateVerdict
    ) {
        self.locationID = locationID
        self.distanceMiles = distanceMiles
        self.status = status
        self.radiusMiles = radiusMiles
        self.usage = usage
        self.dailyLimit = dailyLimit
        self.weeklyLimit = weeklyLimit
        self.isOpen = isOpen
        self.verdict = verdict
    }
}

/// The verdict on one candidate.
public enum CandidateVerdict: String, Sendable, Hashable, Codable {
    /// This location got the lead.
    case chosen
    /// Could have taken the lead, but another was preferred (nearer, won a tie, or an earlier rule).
    case passedOver
    /// Not active (paused, onboarding or quarantined).
    case inactive
    /// The lead is beyond the location's radius.
    case outOfRadius
    /// Today's capacity is used up.
    case dayFull
    /// This week's capacity is used up.
    case weekFull
    /// Only slots reserved for hot leads remain, and the lead is not hot.
    case reservedForHot
    /// Closed at the lead's arrival, and open locations were required.
    case closed
    /// Already had the lead (an SLA re-route goes elsewhere).
    case alreadyTried

    /// Whether the candidate could take the lead.
    public var isEligible: Bool { self == .chosen || self == .passedOver }

    init(_ block: CapacityBlock) {
        switch block {
        case .dayFull: self = .dayFull
        case .weekFull: self = .weekFull
        case .reservedForHot: self = .reservedForHot
        }
    }
}

/// What broke a tie between locations within the tie tolerance of the nearest.
public enum TieBreak: String, Sendable, Hashable, Codable {
    case openNow
    case lowerUtilisation
    case higherPriority
    case locationID
}
