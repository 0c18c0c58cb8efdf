/// The result of routing one lead: the outcome, the location if any, and why.
public struct RoutingDecision: Sendable, Hashable, Codable {
    public var leadID: String?
    public var outcome: RoutingOutcome
    /// The chosen location (only when `outcome` is `assigned`).
    public var locationID: String?
    /// Miles from the lead to the chosen location.
    public var distanceMiles: Double?
    /// For `outOfRange`, the nearest active location; for `noCapacity`, the nearest full one (the waitlist
    /// location).
    public var nearestLocationID: String?
    /// Miles to `nearestLocationID`.
    public var nearestDistanceMiles: Double?
    /// Whether the lead counted as hot.
    public var hotLead: Bool
    /// The chosen location's capacity windows at the lead's arrival: the slot to take in the ledger.
    public var windows: CapacityWindows?
    public var explanation: RoutingExplanation

    public init(
        leadID: String?,
        outcome: RoutingOutcome,
        locationID: String? = nil,
        distanceMiles: Double? = nil,
        nearestLocationID: String? = nil,
        nearestDistanceMiles: Double? = nil,
        hotLead: Bool,
        windows: CapacityWindows? = nil,
        explanation: RoutingExplanation
    ) {
        self.leadID = leadID
        self.outcome = outcome
        self.locationID = locationID
        self.distanceMiles = distanceMiles
        self.nearestLocationID = nearestLocationID
        self.nearestDistanceMiles = nearestDistanceMiles
        self.hotLead = hotLead
        self.windows = windows
        self.explanation = explanation
    }
}
