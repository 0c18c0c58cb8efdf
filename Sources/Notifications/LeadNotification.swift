public import Foundation
import LeadRouting
public import Storage

/// One event about one lead, as it is sent: the Standard Webhooks envelope, or a Slack message.
public struct LeadNotification: Sendable {
    public var event: LeadEvent
    public var lead: LeadRecord
    public var delivery: DeliveryRecord?
    /// When the notification is sent (the envelope's `timestamp`).
    public var sentAt: Date

    public init(event: LeadEvent, lead: LeadRecord, delivery: DeliveryRecord?, sentAt: Date) {
        self.event = event
        self.lead = lead
        self.delivery = delivery
        self.sentAt = sentAt
    }

    /// The request body in a group's format.
    public func body(in format: EndpointGroup.Format) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        switch format {
        case .standard:
            return try encoder.encode(Envelope(type: event.rawValue, timestamp: sentAt, data: payload))
        case .slack:
            return try encoder.encode(["text": text])
        }
    }

    /// A line for people: what happened, to whom, where, and why.
    public var text: String {
        let who = [lead.firstName, lead.lastName].compactMap { $0 }.joined(separator: " ")
        let name = who.isEmpty ? "Lead \(lead.id)" : "Lead \(who) (\(lead.id))"
        let place = lead.lead.postalCode.map { " from \($0)" } ?? ""
        switch event {
        case .routed:
            let summary = lead.decision?.summary ?? "assigned"
            return ":white_check_mark: \(name)\(place) routed to \(lead.decision?.locationID ?? "?") — \(summary)"
        case .unroutable:
            let summary = lead.decision?.summary ?? "no location fits"
            return ":warning: \(name)\(place) could not be routed and waits for review — \(summary)"
        case .delivered:
            let contact = delivery?.contactID.map { ", contact \($0)" } ?? ""
            return ":inbox_tray: \(name) delivered to \(lead.decision?.locationID ?? "?") in GHL"
                + " (sub-account \(delivery?.ghlLocationID ?? "?")\(contact))"
        case .deadLettered:
            return ":x: \(name) could not be delivered to \(lead.decision?.locationID ?? "?"): "
                + (delivery?.detail ?? "no reason recorded") + ". Fix the cause, then replay it."
        case .slaWarning:
            return ":hourglass_flowing_sand: \(name) at \(lead.decision?.locationID ?? "?") has not been worked yet: "
                + "reach out before the SLA runs out"
        case .slaBreached:
            return ":rotating_light: \(name) was not worked by \(lead.decision?.locationID ?? "?") within its SLA"
        case .rerouted:
            return ":twisted_rightwards_arrows: \(name) re-routed to \(lead.decision?.locationID ?? "?") — "
                + (lead.decision?.summary ?? "the previous location did not work it in time")
        case .slaExhausted:
            return ":sos: \(name) was not worked in time and cannot be re-routed again: it waits in the review queue"
        }
    }

    private var payload: Payload {
        let decision = lead.decision
        return Payload(
            leadId: lead.id,
            channel: lead.channel,
            status: lead.status.rawValue,
            outcome: decision?.outcome.rawValue,
            locationId: decision?.locationID,
            distanceMiles: decision?.distanceMiles,
            hotLead: decision?.hotLead,
            summary: decision?.summary,
            contact: Contact(
                firstName: lead.firstName,
                lastName: lead.lastName,
                email: lead.lead.email,
                phone: lead.lead.phone,
                postalCode: lead.lead.postalCode,
                score: lead.lead.score,
                source: lead.lead.source
            ),
            delivery: delivery.map {
                Delivery(
                    state: $0.state.rawValue,
                    ghlLocationId: $0.ghlLocationID,
                    ghlContactId: $0.contactID,
                    ghlOpportunityId: $0.opportunityID,
                    reason: $0.state == .deadLettered ? $0.detail : nil
                )
            }
        )
    }

    private struct Envelope: Encodable {
        var type: String
        var timestamp: Date
        var data: Payload
    }

    private struct Payload: Encodable {
        var leadId: String
        var channel: String
        var status: String
        var outcome: String?
        var locationId: String?
        var distanceMiles: Double?
        var hotLead: Bool?
        var summary: String?
        var contact: Contact
        var delivery: Delivery?
    }

    private struct Contact: Encodable {
        var firstName: String?
        var lastName: String?
        var email: String?
        var phone: String?
        var postalCode: String?
        var score: Int?
        var source: String?
    }

    private struct Delivery: Encodable {
        var state: String
        var ghlLocationId: String
        var ghlContactId: String?
        var ghlOpportunityId: String?
        var reason: String?
    }
}
