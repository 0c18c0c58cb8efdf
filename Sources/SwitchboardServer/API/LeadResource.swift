import Foundation
import LeadRouting
import Storage

/// A lead in the API: what arrived, its status, and — once routed — the decision with its explanation.
struct LeadResource: Encodable, Sendable {
    var id: String
    var status: String
    var channel: String
    var receivedAt: Date
    var firstName: String?
    var lastName: String?
    var email: String?
    var phone: String?
    var postalCode: String?
    var latitude: Double?
    var longitude: Double?
    var score: Int?
    var source: String?
    var ghlContactId: String?
    var ghlOriginLocationId: String?
    var outcome: String?
    var locationId: String?
    var routedAt: Date?
    var assignedManually: Bool
    var holdsCapacity: Bool
    var decision: DecisionResource?
    /// Delivery into GHL: state, ids created, and each step's attempts (only on the single-lead view).
    var delivery: DeliveryResource?

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
    }

    /// Every key present (as `null` when empty), so that clients can rely on the shape.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(status, forKey: .status)
        try container.encode(channel, forKey: .channel)
        try container.encode(receivedAt, forKey: .receivedAt)
        try container.encode(firstName, forKey: .firstName)
        try container.encode(lastName, forKey: .lastName)
        try container.encode(email, forKey: .email)
        try container.encode(phone, forKey: .phone)
        try container.encode(postalCode, forKey: .postalCode)
        try container.encode(latitude, forKey: .latitude)
        try container.encode(longitude, forKey: .longitude)
        try container.encode(score, forKey: .score)
        try container.encode(source, forKey: .source)
        try container.encode(ghlContactId, forKey: .ghlContactId)
        try container.encode(ghlOriginLocationId, forKey: .ghlOriginLocationId)
        try container.encode(outcome, forKey: .outcome)
        try container.encode(locationId, forKey: .locationId)
        try container.encode(routedAt, forKey: .routedAt)
        try container.encode(assignedManually, forKey: .assignedManually)
        try container.encode(holdsCapacity, forKey: .holdsCapacity)
        try container.encode(decision, forKey: .decision)
        try container.encode(delivery, forKey: .delivery)
    }

    private enum CodingKeys: String, CodingKey {
        case id, status, channel, receivedAt, firstName, lastName, email, phone, postalCode, latitude, longitude
        case score, source, ghlContactId, ghlOriginLocationId, outcome, locationId, routedAt, assignedManually
        case holdsCapacity, decision, delivery
    }
}

/// A routing decision in the API: outcome, location, distance, a readable summary and the full explanation.
struct DecisionResource: Encodable, Sendable {
    var outcome: String
    var locationId: String?
    var distanceMiles: Double?
    var nearestLocationId: String?
    var nearestDistanceMiles: Double?
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

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(outcome, forKey: .outcome)
        try container.encode(locationId, forKey: .locationId)
        try container.encode(distanceMiles, forKey: .distanceMiles)
        try container.encode(nearestLocationId, forKey: .nearestLocationId)
        try container.encode(nearestDistanceMiles, forKey: .nearestDistanceMiles)
        try container.encode(hotLead, forKey: .hotLead)
        try container.encode(rule, forKey: .rule)
        try container.encode(summary, forKey: .summary)
        try container.encode(explanation, forKey: .explanation)
    }

    private enum CodingKeys: String, CodingKey {
        case outcome, locationId, distanceMiles, nearestLocationId, nearestDistanceMiles, hotLead, rule, summary
        case explanation
    }
}

/// A lead's delivery into GHL in the API.
struct DeliveryResource: Encodable, Sendable {
    var state: String
    var ghlLocationId: String
    var contactId: String?
    var opportunityId: String?
    var detail: String?
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

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(state, forKey: .state)
        try container.encode(ghlLocationId, forKey: .ghlLocationId)
        try container.encode(contactId, forKey: .contactId)
        try container.encode(opportunityId, forKey: .opportunityId)
        try container.encode(detail, forKey: .detail)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(steps, forKey: .steps)
    }

    private enum CodingKeys: String, CodingKey {
        case state, ghlLocationId, contactId, opportunityId, detail, updatedAt, steps
    }
}
