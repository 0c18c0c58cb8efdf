import Foundation
import LeadRouting
import Storage

/// A lead in the API: what arrived, its status, and — once routed — the decision with its explanation.
struct LeadResource: Encodable, Sendable {
    var id: String
    var status: String
    var channel: String
    var receivedAt: Date
    @Nullable var firstName: String?
    @Nullable var lastName: String?
    @Nullable var email: String?
    @Nullable var phone: String?
    @Nullable var postalCode: String?
    @Nullable var latitude: Double?
    @Nullable var longitude: Double?
    @Nullable var score: Int?
    @Nullable var source: String?
    @Nullable var ghlContactId: String?
    @Nullable var ghlOriginLocationId: String?
    @Nullable var outcome: String?
    @Nullable var locationId: String?
    @Nullable var routedAt: Date?
    var assignedManually: Bool
    var holdsCapacity: Bool
    @Nullable var decision: DecisionResource?
    /// Delivery into GHL: state, ids created, and each step's attempts (only on the single-lead view).
    @Nullable var delivery: DeliveryResource?
    /// Why the lead is in the review queue without a decision: a field that arrived badly typed, named.
    @Nullable var intakeProblem: IntakeProblemResource?
    /// Why a routed lead is back in the review queue (`slaExhausted`: no location worked it in time).
    @Nullable var reviewReason: String?
    /// Each delivery to a location and what the location did with it (only on the single-lead view).
    var attempts: [AttemptResource]?
    /// GHL's events about the lead, in the order they happened (only on the single-lead view).
    var timeline: [TimelineResource]?

    init(_ record: LeadRecord) {
        id = record.id
        status = record.status.rawValue
        channel = record.channel
        receivedAt = record.lead.arrivedAt
        firstName = record.firstName
        lastName = record.lastName
        email = record.lead.email
        phone = record.lead.phone
        postalCode = record.lead.postalCode
        latitude = record.lead.coordinate?.latitude
        longitude = record.lead.coordinate?.longitude
        score = record.lead.score
        source = record.lead.source
        ghlContactId = record.origin?.contactID
        ghlOriginLocationId = record.origin?.locationID
        outcome = record.decision?.outcome.rawValue
        locationId = record.decision?.locationID
        routedAt = record.routedAt
        assignedManually = record.assignedManually
        holdsCapacity = record.slot != nil
        decision = record.decision.map(DecisionResource.init)
        reviewReason = record.reviewReason
        intakeProblem = record.intakeProblem.map {
            IntakeProblemResource(field: $0.field, detail: $0.detail, rawBody: $0.rawBody)
        }
    }

}

/// A lead that could not be taken as sent: the field at fault, what is wrong, and the body as it arrived.
struct IntakeProblemResource: Encodable, Sendable {
    var field: String
    var detail: String
    var rawBody: String
}

/// A routing decision in the API: outcome, location, distance, a readable summary and the full explanation.
struct DecisionResource: Encodable, Sendable {
    var outcome: String
    @Nullable var locationId: String?
    @Nullable var distanceMiles: Double?
    @Nullable var nearestLocationId: String?
    @Nullable var nearestDistanceMiles: Double?
    var hotLead: Bool
    var rule: String
    var summary: String
    var explanation: ExplanationJSON

    init(_ decision: RoutingDecision) {
        outcome = decision.outcome.rawValue
        locationId = decision.locationID
        distanceMiles = decision.distanceMiles.map(ExplanationJSON.rounded)
        nearestLocationId = decision.nearestLocationID
        nearestDistanceMiles = decision.nearestDistanceMiles.map(ExplanationJSON.rounded)
        hotLead = decision.hotLead
        rule = decision.explanation.rule.rawValue
        summary = decision.summary
        explanation = ExplanationJSON(decision)
    }
}

/// A lead's delivery into GHL in the API.
struct DeliveryResource: Encodable, Sendable {
    var state: String
    var ghlLocationId: String
    @Nullable var contactId: String?
    @Nullable var opportunityId: String?
    @Nullable var detail: String?
    var updatedAt: Date
    var steps: [JobResource]

    init(_ record: DeliveryRecord, steps: [Job]) {
        state = record.state.rawValue
        ghlLocationId = record.ghlLocationID
        contactId = record.contactID
        opportunityId = record.opportunityID
        detail = record.detail
        updatedAt = record.updatedAt
        self.steps = steps.filter { $0.kind == .deliver }.map(JobResource.init)
    }
}
