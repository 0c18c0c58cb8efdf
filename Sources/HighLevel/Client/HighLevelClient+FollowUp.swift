public import Foundation

/// What a location did with a delivered contact, read back from GHL (to verify before an SLA re-route, and to find
/// what lost webhooks would have said), and the clean-up after a re-route.
extension HighLevelClient {
    /// An opportunity as GHL has it now (`GET /opportunities/{id}`); `nil` when it is gone.
    public func opportunity(id: String, locationID: String) async throws(HighLevelError) -> OpportunityState? {
        let response = try await call("get-opportunity", location: locationID) {
            try await client.getOpportunity(path: .init(id: id), headers: .init(version: ._20210728)).ok.body.json
        }
        guard let opportunity = response.opportunity, let opportunityID = opportunity.id else { return nil }
        return OpportunityState(
            id: opportunityID,
            status: opportunity.status?.lowercased(),
            pipelineStageID: opportunity.pipelineStageId,
            monetaryValue: opportunity.monetaryValue,
            lastStatusChangeAt: opportunity.lastStatusChangeAt.flatMap(Self.date)
        )
    }

    /// A contact's appointments (`GET /contacts/{contactId}/appointments`).
    public func appointments(contactID: String, locationID: String) async throws(HighLevelError) -> [AppointmentState] {
        let response = try await call("get-appointments-for-contact", location: locationID) {
            try await client.getAppointmentsForContact(
                path: .init(contactId: contactID),
                headers: .init(version: ._20210728)
            ).ok.body.json
        }
        return (response.events ?? []).compactMap { event in
            event.id.map {
                AppointmentState(id: $0, status: (event.appointmentStatus ?? event.status)?.lowercased())
            }
        }
    }

    /// A contact's messages and calls since a time (`GET /conversations/messages/export`, every page; emails are a
    /// channel of their own there, so they are asked for separately).
    public func messages(
        contactID: String,
        locationID: String,
        since: Date
    ) async throws(HighLevelError) -> [ConversationMessage] {
        var messages: [ConversationMessage] = []
        for channel in [nil, Operations.ExportMessagesByLocation.Input.Query.ChannelPayload.email] {
            var cursor: String?
            repeat {
                let after = cursor
                let page = try await call("export-messages-by-location", location: locationID) {
                    try await client.exportMessagesByLocation(
                        query: .init(
                            locationId: locationID,
                            limit: 100,
                            cursor: after,
                            contactId: contactID,
                            channel: channel,
                            startDate: since.formatted(.iso8601)
                        ),
                        headers: .init(version: ._20210415)
                    ).ok.body.json
                }
                messages += page.messages.map { message in
                    ConversationMessage(
                        id: message.id,
                        outbound: message.direction == .outbound,
                        messageType: Self.webhookMessageType(message.messageType.rawValue),
                        userID: message.userId,
                        source: message.source?.rawValue,
                        status: message.status?.rawValue,
                        callStatus: message.meta?.callStatus?.rawValue,
                        callDurationSeconds: message.meta?.callDuration.flatMap(Double.init),
                        body: message.body,
                        dateAdded: Self.date(message.dateAdded)
                    )
                }
                cursor = page.nextCursor
            } while cursor != nil
        }
        return messages
    }

    /// Adds tags to a contact (`POST /contacts/{contactId}/tags`).
    public func addTags(_ tags: [String], contactID: String, locationID: String) async throws(HighLevelError) {
        _ = try await call("add-tags", location: locationID) {
            try await client.addTags(
                path: .init(contactId: contactID),
                headers: .init(version: ._20210728),
                body: .json(.init(tags: tags))
            ).created
        }
    }

    /// Takes a contact out of a workflow (`DELETE /contacts/{contactId}/workflow/{workflowId}`), so that the
    /// location's nurture texts stop.
    public func removeFromWorkflow(
        contactID: String,
        workflowID: String,
        locationID: String
    ) async throws(HighLevelError) {
        _ = try await call("delete-contact-from-workflow", location: locationID) {
            try await client.deleteContactFromWorkflow(
                path: .init(contactId: contactID, workflowId: workflowID),
                headers: .init(version: ._20210728),
                body: .json(.init())
            ).ok
        }
    }

    /// Sets an opportunity's status (`PUT /opportunities/{id}/status`), e.g. `abandoned` after a re-route.
    public func setOpportunityStatus(
        _ status: String,
        opportunityID: String,
        locationID: String
    ) async throws(HighLevelError) {
        guard let payload = Components.Schemas.UpdateStatusDto.StatusPayload(rawValue: status) else {
            throw Self.unexpected("update-opportunity-status", "'\(status)' is not an opportunity status")
        }
        _ = try await call("update-opportunity-status", location: locationID) {
            try await client.updateOpportunityStatus(
                path: .init(id: opportunityID),
                headers: .init(version: ._20210728),
                body: .json(.init(status: payload))
            ).ok
        }
    }

    /// The API's `TYPE_SMS`, `TYPE_CALL` … as webhooks name them (`SMS`, `CALL`, `Email` …).
    static func webhookMessageType(_ type: String) -> String {
        switch type {
        case "TYPE_CALL": "CALL"
        case "TYPE_EMAIL": "Email"
        case "TYPE_SMS": "SMS"
        default: type.hasPrefix("TYPE_") ? String(type.dropFirst(5)) : type
        }
    }

    static func date(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

/// An opportunity's state in GHL.
public struct OpportunityState: Sendable, Hashable {
    public var id: String
    public var status: String?
    public var pipelineStageID: String?
    public var monetaryValue: Double?
    public var lastStatusChangeAt: Date?
}

/// An appointment's state in GHL.
public struct AppointmentState: Sendable, Hashable {
    public var id: String
    public var status: String?
}

/// A message or call in a contact's conversation, as GHL's API gives it.
public struct ConversationMessage: Sendable, Hashable {
    public var id: String
    public var outbound: Bool
    /// As webhooks name it: `SMS`, `CALL`, `Email` …
    public var messageType: String
    public var userID: String?
    public var source: String?
    public var status: String?
    public var callStatus: String?
    public var callDurationSeconds: Double?
    public var body: String?
    public var dateAdded: Date?
}
