public import Foundation

/// Where recent leads went, by email and phone, so that a repeat lead can go back to the same location.
public struct RoutingHistory: Sendable, Hashable {
    /// One past assignment.
    public struct Assignment: Sendable, Hashable, Codable {
        public var locationID: String
        public var at: Date
        public init(locationID: String, at: Date) {
            self.locationID = locationID
            self.at = at
        }
    }

    private var latest: [ContactKey: Assignment] = [:]

    public init() {}

    /// Remembers that a lead was assigned to a location.
    public mutating func record(_ lead: Lead, assignedTo locationID: String) {
        for key in lead.contactKeys {
            if let existing = latest[key], existing.at > lead.arrivedAt { continue }
            latest[key] = Assignment(locationID: locationID, at: lead.arrivedAt)
        }
    }

    /// Remembers an assignment for one contact key (e.g. loaded from storage).
    public mutating func record(_ key: ContactKey, _ assignment: Assignment) {
        if let existing = latest[key], existing.at > assignment.at { return }
        latest[key] = assignment
    }

    /// The most recent assignment of the same person within `days` before the lead arrived, if any.
    public func previousAssignment(of lead: Lead, withinDays days: Int) -> Assignment? {
        guard days > 0, !latest.isEmpty else { return nil }
        let earliest = lead.arrivedAt.addingTimeInterval(-Double(days) * 86_400)
        return lead.contactKeys.compactMap { latest[$0] }
            .filter { $0.at >= earliest && $0.at <= lead.arrivedAt }
            .max { $0.at < $1.at }
    }
}
