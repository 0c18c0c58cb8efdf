/// The knobs of the routing policy; the defaults are the documented behaviour.
public struct RoutingPolicy: Sendable, Hashable, Codable {
    /// Service radius for locations that do not set their own, in miles.
    public var defaultRadiusMiles: Double
    /// A lead with a score at or above this is hot and may take slots reserved for hot leads.
    public var hotScoreThreshold: Int
    /// A repeat lead (same email or phone) within this many days goes back to its previous location.
    public var stickyDays: Int
    /// What business hours do to the choice.
    public var businessHours: BusinessHoursRule
    /// Whether an unknown US ZIP may be placed at the mean of the known ZIPs sharing its first three digits.
    public var approximateUnknownZIPs: Bool
    /// Locations this much farther than the nearest eligible one still count as equally near, in miles.
    public var tieToleranceMiles: Double
    /// How many candidates in reach an explanation lists at least (nearest first); farther ones are listed only
    /// when the decision had to look at them, and the rest are counted.
    public var explainedCandidateLimit: Int

    public init(
        defaultRadiusMiles: Double = 25,
        hotScoreThreshold: Int = 80,
        stickyDays: Int = 90,
        businessHours: BusinessHoursRule = .ignore,
        approximateUnknownZIPs: Bool = false,
        tieToleranceMiles: Double = 0.1,
        explainedCandidateLimit: Int = 20
    ) {
        self.defaultRadiusMiles = defaultRadiusMiles
        self.hotScoreThreshold = hotScoreThreshold
        self.stickyDays = stickyDays
        self.businessHours = businessHours
        self.approximateUnknownZIPs = approximateUnknownZIPs
        self.tieToleranceMiles = tieToleranceMiles
        self.explainedCandidateLimit = explainedCandidateLimit
    }
}

/// What a location's business hours do to routing.
public enum BusinessHoursRule: String, Sendable, Hashable, Codable, CaseIterable {
    /// Hours play no part (the default).
    case ignore
    /// Among equally near locations, an open one wins.
    case preferOpen = "prefer-open"
    /// Only open locations are chosen, unless none is open; then any eligible one is.
    case requireOpen = "require-open"
}
