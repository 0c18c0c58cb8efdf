import Foundation

/// The sub-account events GHL sends about a contact's pipeline, conversations and calendar, in the shapes of GHL's
/// webhook docs (flat, except appointments, which nest an `appointment` object), with GHL's quirks: every
/// opportunity change sends the generic `OpportunityUpdate` beside the specific event.
extension SandboxWebhooks {
    /// `OpportunityCreate`, then the `OpportunityUpdate` GHL sends with it.
    func opportunityCreated(_ opportunity: SandboxLocation.Opportunity, locationID: String) {
        emit("OpportunityCreate", Self.fields(of: opportunity), locationID: locationID)
        emit("OpportunityUpdate", Self.fields(of: opportunity), locationID: locationID)
    }

    /// The generic `OpportunityUpdate`, then one specific event per field that changed.
    func opportunityChanged(
        _ opportunity: SandboxLocation.Opportunity,
        from old: SandboxLocation.Opportunity,
        locationID: String
    ) {
        let fields = Self.fields(of: opportunity)
        emit("OpportunityUpdate", fields, locationID: locationID)
        if opportunity.status != old.status { emit("OpportunityStatusUpdate", fields, locationID: locationID) }
        if opportunity.stageID != old.stageID { emit("OpportunityStageUpdate", fields, locationID: locationID) }
        if opportunity.monetaryValue != old.monetaryValue {
            emit("OpportunityMonetaryValueUpdate", fields, locationID: locationID)
        }
    }

    /// `OutboundMessage` or `InboundMessage`. - Returns: the webhook id.
    @discardableResult
    func message(_ message: SandboxMessage, contactID: String, locationID: String) -> String {
        var fields: [String: Any] = [
            "contactId": contactID,
            "messageId": message.id,
            "conversationId": "conv-\(contactID)",
            "direction": message.outbound ? "outbound" : "inbound",
            "messageType": message.messageType,
            "dateAdded": message.dateAdded.formatted(.iso8601),
            "attachments": [String](),
            "contentType": "text/plain",
        ]
        fields["userId"] = message.userID
        // GHL's InboundMessage carries no source.
        if message.outbound { fields["source"] = message.source }
        fields["status"] = message.status
        fields["callStatus"] = message.callStatus
        fields["callDuration"] = message.callDuration
        fields["body"] = message.body
        return emit(message.outbound ? "OutboundMessage" : "InboundMessage", fields, locationID: locationID)
    }

    /// `AppointmentCreate` or `AppointmentUpdate`.
    func appointment(_ appointment: SandboxAppointment, created: Bool, locationID: String) {
        var nested: [String: Any] = [
            "id": appointment.id,
            "calendarId": "sandbox-calendar",
            "contactId": appointment.contactID,
            "appointmentStatus": appointment.status,
            "title": "Trial session",
            "source": appointment.source,
            "startTime": appointment.startTime.formatted(.iso8601),
            "endTime": appointment.startTime.addingTimeInterval(3600).formatted(.iso8601),
            "dateAdded": appointment.dateAdded.formatted(.iso8601),
            "dateUpdated": appointment.dateUpdated.formatted(.iso8601),
        ]
        nested["assignedUserId"] = appointment.userID
        emit(created ? "AppointmentCreate" : "AppointmentUpdate", ["appointment": nested], locationID: locationID)
    }

    private static func fields(of opportunity: SandboxLocation.Opportunity) -> [String: Any] {
        var fields: [String: Any] = [
            "id": opportunity.id,
            "name": opportunity.name,
            "contactId": opportunity.contactID,
            "pipelineId": opportunity.pipelineID,
            "status": opportunity.status,
            "source": "switchboard",
            "dateAdded": (opportunity.dateAdded ?? Date(timeIntervalSince1970: 0)).formatted(.iso8601),
        ]
        fields["pipelineStageId"] = opportunity.stageID
        fields["monetaryValue"] = opportunity.monetaryValue ?? 0
        fields["assignedTo"] = opportunity.assignedTo
        return fields
    }
}

/// A message or call in a sandbox conversation.
struct SandboxMessage: Sendable, Codable {
    var id: String
    var outbound: Bool
    /// `SMS`, `CALL`, `Email`, `VoiceMail`, …
    var messageType: String
    var userID: String?
    var source: String?
    var status: String?
    var callStatus: String?
    var callDuration: Double?
    var body: String?
    var dateAdded: Date
}

/// An appointment in a sandbox calendar.
struct SandboxAppointment: Sendable, Codable {
    var id: String
    var contactID: String
    var status: String
    var source: String
    var userID: String?
    var startTime: Date
    var dateAdded: Date
    var dateUpdated: Date
}
