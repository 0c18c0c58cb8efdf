/// How routing a lead ended.
public enum RoutingOutcome: String, Sendable, Hashable, Codable, CaseIterable {
    /// A location was chosen and one slot of its capacity is the lead's.
    case assigned
    /// Locations are in range but all are full (the explanation names the nearest as the waitlist location).
    case noCapacity
    /// No active location has the lead within its radius (the explanation names the nearest one).
    case outOfRange
    /// The postal code is not a well-formed US ZIP or Canadian postal code, and no coordinates were given.
    case invalidPostalCode
    /// The postal code is well formed but not in the reference data.
    case unknownPostalCode
    /// No location is active at all.
    case noLocations

    /// Whether a person has to look at the lead (the review queue).
    public var needsReview: Bool { self != .assigned }
}

/// The rule that decided a lead's location.
public enum DecisionRule: String, Sendable, Hashable, Codable {
    /// A repeat lead went back to the location it was routed to before.
    case sticky
    /// The lead's postal code is in the location's protected territory.
    case territory
    /// The nearest eligible location.
    case nearest
    /// The nearest eligible location that is open now (business hours preferred or required).
    case nearestOpen
    /// A person assigned the lead (from the review queue, or reassigned it).
    case manual
    /// Nothing was chosen; the outcome says why.
    case none
}
