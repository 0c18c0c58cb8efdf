import Delivery
import Foundation
import HighLevel
import LeadTracking

extension FollowUpEvidence {
    /// What GHL's API shows, as the events its webhooks would have sent (ids of their own, so the API's view and
    /// a webhook of the same thing are both kept, and applying them twice changes nothing).
    func events(contactID: String, in location: String, now: Date) -> [GHLEvent] {
        var events: [GHLEvent] = messages.map { message in
            GHLEvent(
                webhookID: "api:message:\(message.id)",
                type: message.outbound ? "OutboundMessage" : "InboundMessage",
                ghlLocationID: location,
                contactID: contactID,
                occurredAt: message.dateAdded ?? now,
                change: .message(
                    .init(
                        id: message.id,
                        outbound: message.outbound,
                        messageType: message.messageType,
                        userID: message.userID,
                        source: message.source,
                        status: message.status,
                        callStatus: message.callStatus,
                        callDurationSeconds: message.callDurationSeconds,
                        body: message.body
                    )
                )
            )
        }
        if let opportunity, let status = opportunity.status {
            events.append(
                GHLEvent(
                    webhookID: "api:opportunity:\(opportunity.id):\(status)",
                    type: "OpportunityUpdate",
                    ghlLocationID: location,
                    contactID: contactID,
                    occurredAt: opportunity.lastStatusChangeAt ?? now,
                    change: .opportunity(
                        .init(
                            id: opportunity.id,
                            status: status,
                            pipelineStageID: opportunity.pipelineStageID,
                            monetaryValue: opportunity.monetaryValue,
                            generic: true
                        )
                    )
                )
            )
        }
        for appointment in appointments {
            events.append(
                GHLEvent(
                    webhookID: "api:appointment:\(appointment.id):\(appointment.status ?? "")",
                    type: "AppointmentUpdate",
                    ghlLocationID: location,
                    contactID: contactID,
                    occurredAt: now,
                    change: .appointment(.init(id: appointment.id, status: appointment.status))
                )
            )
        }
        return events
    }
}
