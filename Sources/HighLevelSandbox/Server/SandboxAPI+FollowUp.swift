import Foundation
import OpenAPIRuntime

/// What Switchboard reads back after delivery (an opportunity, a contact's appointments and messages) and the
/// clean-up after a re-route (tags, leaving a workflow, an opportunity's status).
extension SandboxAPI {
    /// The sub-account a location token names. - Throws: for any other caller.
    private func callerLocation() throws -> String {
        guard case .location(let locationID) = SandboxCaller.current else {
            throw SandboxFailure.unauthorized("This route requires a Sub-Account access token")
        }
        return locationID
    }

    func getOpportunity(_ input: Operations.GetOpportunity.Input) async throws -> Operations.GetOpportunity.Output {
        let locationID = try callerLocation()
        let location = try await state.location(locationID)
        guard let opportunity = location.opportunityDetails?.first(where: { $0.id == input.path.id }) else {
            throw SandboxFailure.badRequest("Opportunity with id \(input.path.id) not found")
        }
        return .ok(
            .init(
                body: .json(
                    .init(
                        opportunity: .init(
                            assignedTo: opportunity.assignedTo,
                            contactId: opportunity.contactID,
                            createdAt: opportunity.dateAdded?.formatted(.iso8601),
                            id: opportunity.id,
                            locationId: locationID,
                            monetaryValue: opportunity.monetaryValue,
                            name: opportunity.name,
                            pipelineId: opportunity.pipelineID,
                            pipelineStageId: opportunity.stageID,
                            status: opportunity.status
                        )
                    )
                )
            )
        )
    }

    func updateOpportunityStatus(
        _ input: Operations.UpdateOpportunityStatus.Input
    ) async throws
        -> Operations.UpdateOpportunityStatus.Output
    {
        let locationID = try callerLocation()
        guard case .json(let body) = input.body else { throw SandboxFailure.badRequest("Invalid body") }
        guard body.status != .all else {
            throw SandboxFailure.badRequest("status must be open, won, lost or abandoned")
        }
        let id = input.path.id
        let before = try await state.location(locationID).opportunityDetails?.first { $0.id == id }
        guard let before else { throw SandboxFailure.badRequest("Opportunity with id \(id) not found") }
        let after = try await state.update(locationID) { location throws(SandboxFailure) in
            guard let index = location.opportunityDetails?.firstIndex(where: { $0.id == id }) else {
                throw .badRequest("Opportunity with id \(id) not found")
            }
            location.opportunityDetails?[index].status = body.status.rawValue
        }
        .opportunityDetails?.first { $0.id == id }
        if let after { webhooks.opportunityChanged(after, from: before, locationID: locationID) }
        return .ok(.init(body: .json(.init(succeded: true))))
    }

    func getAppointmentsForContact(
        _ input: Operations.GetAppointmentsForContact.Input
    ) async throws
        -> Operations.GetAppointmentsForContact.Output
    {
        let locationID = try callerLocation()
        let location = try await state.location(locationID)
        guard location.contacts.contains(where: { $0.id == input.path.contactId }) else {
            throw SandboxFailure.badRequest("Contact with id \(input.path.contactId) not found")
        }
        let events = (location.appointments ?? []).filter { $0.contactID == input.path.contactId }.map {
            Components.Schemas.GetEventSchema(
                appointmentStatus: $0.status,
                assignedUserId: $0.userID,
                calendarId: "sandbox-calendar",
                contactId: $0.contactID,
                dateAdded: $0.dateAdded.formatted(.iso8601),
                dateUpdated: $0.dateUpdated.formatted(.iso8601),
                endTime: $0.startTime.addingTimeInterval(3_600).formatted(.iso8601),
                id: $0.id,
                locationId: locationID,
                startTime: $0.startTime.formatted(.iso8601),
                status: $0.status,
                title: "Trial session"
            )
        }
        return .ok(.init(body: .json(.init(events: events))))
    }

    func exportMessagesByLocation(
        _ input: Operations.ExportMessagesByLocation.Input
    ) async throws
        -> Operations.ExportMessagesByLocation.Output
    {
        let query = input.query
        try SandboxCaller.requireLocation(query.locationId)
        let location = try await state.location(query.locationId)
        let since = query.startDate.flatMap { try? Date($0, strategy: .iso8601) }
        let wantsEmail = query.channel == .email
        var messages: [(contactID: String, message: SandboxMessage)] = []
        for (contactID, list) in location.messages ?? [:] where query.contactId.map({ $0 == contactID }) ?? true {
            for message in list where since.map({ message.dateAdded >= $0 }) ?? true {
                // Without a channel the export gives every type but email; with Email only emails.
                if (message.messageType.lowercased() == "email") == wantsEmail { messages.append((contactID, message)) }
            }
        }
        messages.sort { $0.message.dateAdded < $1.message.dateAdded }
        let limit = Int(query.limit ?? 100)
        let start = query.cursor.flatMap(Int.init) ?? 0
        let page = messages.dropFirst(start).prefix(limit)
        let next = start + page.count < messages.count ? String(start + page.count) : nil
        return .ok(
            .init(
                body: .json(
                    .init(
                        messages: page.map {
                            Self.schema($0.message, contactID: $0.contactID, locationID: query.locationId)
                        },
                        nextCursor: next,
                        total: Double(messages.count)
                    )
                )
            )
        )
    }

    func addTags(_ input: Operations.AddTags.Input) async throws -> Operations.AddTags.Output {
        let locationID = try callerLocation()
        guard case .json(let body) = input.body else { throw SandboxFailure.badRequest("Invalid body") }
        let contactID = input.path.contactId
        let contact = try await state.update(locationID) { location throws(SandboxFailure) in
            guard let index = location.contacts.firstIndex(where: { $0.id == contactID }) else {
                throw .badRequest("Contact with id \(contactID) not found")
            }
            for tag in body.tags where !location.contacts[index].tags.contains(tag) {
                location.contacts[index].tags.append(tag)
            }
        }
        .contacts.first { $0.id == contactID }
        if let contact { webhooks.contactEvent("ContactTagUpdate", contact, locationID: locationID) }
        return .created(.init(body: .json(.init(tags: contact?.tags ?? body.tags))))
    }

    func deleteContactFromWorkflow(
        _ input: Operations.DeleteContactFromWorkflow.Input
    ) async throws
        -> Operations.DeleteContactFromWorkflow.Output
    {
        let locationID = try callerLocation()
        let enrolment = "\(input.path.contactId)/\(input.path.workflowId)"
        _ = try await state.update(locationID) { location throws(SandboxFailure) in
            location.enrolments.removeAll { $0 == enrolment }
        }
        return .ok(.init(body: .json(.init(succeded: true))))
    }

    /// A message in the API's shape.
    static func schema(
        _ message: SandboxMessage,
        contactID: String,
        locationID: String
    ) -> Components.Schemas.GetMessageResponseDto {
        let type: Components.Schemas.GetMessageResponseDto.MessageTypePayload =
            switch message.messageType.uppercased() {
            case "CALL": .typeCall
            case "EMAIL": .typeEmail
            default: .typeSms
            }
        return Components.Schemas.GetMessageResponseDto(
            body: message.body,
            contactId: contactID,
            contentType: "text/plain",
            conversationId: "conv-\(contactID)",
            dateAdded: message.dateAdded.formatted(.iso8601),
            direction: message.outbound ? .outbound : .inbound,
            id: message.id,
            locationId: locationID,
            messageType: type,
            meta: message.callStatus.map {
                .init(
                    callDuration: message.callDuration.map { String(Int($0)) },
                    callStatus: .init(rawValue: $0)
                )
            },
            source: message.outbound ? message.source.flatMap { .init(rawValue: $0) } : nil,
            status: message.status.flatMap { .init(rawValue: $0) },
            _type: type == .typeCall ? 1 : (type == .typeEmail ? 3 : 2),
            userId: message.userID
        )
    }
}
