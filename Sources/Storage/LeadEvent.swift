public import Foundation

/// Something that happened to a lead that outside systems are told about (notification webhooks).
public enum LeadEvent: String, Sendable, Hashable, Codable, CaseIterable {
    /// The lead was assigned to a location (by routing or by hand).
    case routed = "lead.routed"
    /// No location fits: the lead waits in the review queue.
    case unroutable = "lead.unroutable"
    /// The lead reached its location's GHL sub-account.
    case delivered = "lead.delivered"
    /// Delivery was given up on (a permanent GHL error, or every retry used).
    case deadLettered = "lead.dead_lettered"
    /// Part of the SLA window passed and nobody has worked the lead yet (a reminder).
    case slaWarning = "lead.sla_warning"
    /// The SLA ran out and GHL shows no work on the lead.
    case slaBreached = "lead.sla_breached"
    /// The lead was taken from a location that did not work it and given to another.
    case rerouted = "lead.rerouted"
    /// The lead was re-routed as often as allowed (or no location could take it): it waits in the review queue.
    case slaExhausted = "lead.sla_exhausted"
}

/// Turns lead events into queued jobs, written in the same transaction as the change that caused them — so an
/// event is never announced for a change that was rolled back, and never lost for one that was committed.
public protocol LeadEventOutbox: Sendable {
    /// The jobs that announce an event (none when nobody listens for it).
    func jobs(announcing event: LeadEvent, leadID: String, at date: Date) -> [NewJob]
    /// Called once such jobs are committed, to wake whoever sends them.
    func didQueue()
}

/// The outbox when nobody listens: announces nothing.
public struct SilentOutbox: LeadEventOutbox {
    public init() {}
    public func jobs(announcing event: LeadEvent, leadID: String, at date: Date) -> [NewJob] { [] }
    public func didQueue() {}
}
