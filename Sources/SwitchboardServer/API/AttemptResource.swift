import Foundation
import LeadTracking
import Storage

/// One delivery of a lead to a location in the API, with what the location did with it.
struct AttemptResource: Encodable, Sendable {
    var number: Int
    var locationId: String
    var ghlLocationId: String
    @Nullable var contactId: String?
    /// `initial`, `slaReroute` or `manual`.
    var reason: String
    var deliveredAt: Date
    @Nullable var slaDueAt: Date?
    /// `off`, `running`, `met`, `breached` or `exempt`.
    var slaState: String
    @Nullable var firstTouchAt: Date?
    @Nullable var firstContactAt: Date?
    /// The location's speed to lead, in its open-hours seconds.
    @Nullable var speedToLeadSeconds: Double?
    /// The lead's wait from arrival to the first touch, wall-clock.
    @Nullable var leadWaitSeconds: Double?
    var funnel: Marks

    struct Marks: Encodable, Sendable {
        var attempted, contacted, booked, showed, won, lost, reroutedAway: Bool
        var revenue: Double
    }

    init(_ attempt: AttemptRecord) {
        number = attempt.number
        locationId = attempt.locationID
        ghlLocationId = attempt.ghlLocationID
        contactId = attempt.contactID
        reason = attempt.reason.rawValue
        deliveredAt = attempt.deliveredAt
        slaDueAt = attempt.slaDueAt
        slaState = attempt.slaState
        let progress = attempt.progress
        firstTouchAt = progress.firstTouchAt
        firstContactAt = progress.firstContactAt
        speedToLeadSeconds = attempt.speedSeconds
        leadWaitSeconds = progress.firstTouchAt.map { $0.timeIntervalSince(attempt.arrivedAt) }
        funnel = Marks(
            attempted: progress.attempted,
            contacted: progress.contacted,
            booked: progress.booked,
            showed: progress.showed,
            won: progress.won,
            lost: progress.lost,
            reroutedAway: progress.reroutedAway,
            revenue: progress.revenue
        )
    }
}

/// A line of a lead's timeline: a GHL event that said something about the lead.
struct TimelineResource: Encodable, Sendable {
    var at: Date
    var attempt: Int
    /// The GHL event type.
    var type: String
    /// `touch`, `reply`, `automated`, `opportunity`, `appointment`, `claim`, …
    var kind: String
    var text: String

    init(_ entry: TimelineEntry) {
        at = entry.at
        attempt = entry.attempt
        type = entry.type
        kind = entry.note.kind
        text = entry.note.text
    }
}
