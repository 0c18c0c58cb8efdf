public import Foundation

/// Where a lead's delivery into GHL stands: the target sub-account and what was created there.
public struct DeliveryRecord: Sendable, Hashable, Codable {
    /// Where a delivery is.
    public enum State: String, Sendable, Hashable, Codable {
        /// Steps are queued or running (or waiting to be retried).
        case pending
        /// Every step is done.
        case delivered
        /// A step was given up on; see `detail`. Replaying the dead letter resumes from that step.
        case deadLettered
    }

    public var leadID: String
    /// The GHL sub-account (location) the lead goes into.
    public var ghlLocationID: String
    public var state: State
    /// The contact in the target sub-account, once upserted.
    public var contactID: String?
    public var opportunityID: String?
    /// The last failure, or why the delivery was dead-lettered.
    public var detail: String?
    public var updatedAt: Date

    public init(
        leadID: String,
        ghlLocationID: String,
        state: State = .pending,
        contactID: String? = nil,
        opportunityID: String? = nil,
        detail: String? = nil,
        updatedAt: Date
    ) {
        self.leadID = leadID
        self.ghlLocationID = ghlLocationID
        self.state = state
        self.contactID = contactID
        self.opportunityID = opportunityID
        self.detail = detail
        self.updatedAt = updatedAt
    }
}
