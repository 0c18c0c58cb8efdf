public import Foundation
public import LeadRouting

/// A location as Switchboard keeps it: the routing fields, plus the GHL sub-account it delivers into.
public struct StoredLocation: Sendable, Hashable, Codable {
    /// The routing view of the location (id, point, status, capacity, radius, territory, hours, time zone).
    public var location: Location
    /// The GHL sub-account (location) id leads are delivered into, once known.
    public var ghlLocationID: String?
    /// When the location was last changed.
    public var updatedAt: Date
    /// This location's own SLA, in minutes, instead of the franchise's (`nil`: the franchise's).
    public var slaMinutes: Int?
    /// Whether leads are never re-routed away from this location by the SLA.
    public var slaExempt: Bool

    public init(
        location: Location,
        ghlLocationID: String? = nil,
        updatedAt: Date,
        slaMinutes: Int? = nil,
        slaExempt: Bool = false
    ) {
        self.location = location
        self.ghlLocationID = ghlLocationID
        self.updatedAt = updatedAt
        self.slaMinutes = slaMinutes
        self.slaExempt = slaExempt
    }

    public var id: String { location.id }
}
