public import Foundation
public import LeadRouting

/// A lead as stored: what arrived, where it came from, and — once routed — the decision and its explanation.
public struct LeadRecord: Sendable, Hashable, Codable {
    /// Where a lead is in its life.
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        /// Stored and acknowledged; waiting to be routed.
        case received
        /// Routed to a location (automatically or by hand).
        case assigned
        /// Routing found no location; in the review queue until someone assigns it.
        case review
    }

    /// Switchboard's id for the lead.
    public var id: String
    /// How the lead reached Switchboard: `webhook`, `api` or `import`.
    public var channel: String
    public var firstName: String?
    public var lastName: String?
    /// The routing input: postal code, coordinates, email, phone, score, source and arrival time.
    public var lead: Lead
    /// The GHL contact the lead came from (webhook leads), and its sub-account.
    public var origin: GHLOrigin?
    public var status: Status
    /// The routing decision with its explanation, once routed.
    public var decision: RoutingDecision?
    /// When the decision was made.
    public var routedAt: Date?
    /// The capacity slot the lead holds, if assigned.
    public var slot: CapacitySlot?
    /// `true` when a person assigned the lead (from the review queue, or reassigned).
    public var assignedManually: Bool
    /// Why the lead could not be taken as sent (e.g. a signed webhook with a badly typed field): it is kept in
    /// the review queue, unrouted, with the raw body, instead of being refused and lost.
    public var intakeProblem: IntakeProblem?
    /// Why a lead that was routed is back in the review queue (e.g. `slaExhausted`: no location worked it in time).
    public var reviewReason: String?

    public init(
        id: String,
        channel: String,
        firstName: String? = nil,
        lastName: String? = nil,
        lead: Lead,
        origin: GHLOrigin? = nil,
        status: Status = .received,
        decision: RoutingDecision? = nil,
        routedAt: Date? = nil,
        slot: CapacitySlot? = nil,
        assignedManually: Bool = false,
        intakeProblem: IntakeProblem? = nil
    ) {
        self.intakeProblem = intakeProblem
        self.id = id
        self.channel = channel
        self.firstName = firstName
        self.lastName = lastName
        self.lead = lead
        self.origin = origin
        self.status = status
        self.decision = decision
        self.routedAt = routedAt
        self.slot = slot
        self.assignedManually = assignedManually
    }

    /// What was wrong with a lead as it arrived, and the body it arrived with.
    public struct IntakeProblem: Sendable, Hashable, Codable {
        /// The field at fault, as the sender named it (e.g. `postalCode`).
        public var field: String
        /// What is wrong with it, in words.
        public var detail: String
        /// The request body exactly as received (UTF-8; invalid bytes replaced).
        public var rawBody: String
        public init(field: String, detail: String, rawBody: String) {
            self.field = field
            self.detail = detail
            self.rawBody = rawBody
        }
    }

    /// The GHL contact a webhook lead was created from.
    public struct GHLOrigin: Sendable, Hashable, Codable {
        public var contactID: String?
        public var locationID: String?
        public init(contactID: String?, locationID: String?) {
            self.contactID = contactID
            self.locationID = locationID
        }
    }
}
