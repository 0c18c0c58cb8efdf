import Foundation

/// What a gym's staff (or a lead) do in GHL, applied to the sandbox's state with the webhooks GHL sends for it: one
/// home for the staff endpoints and the demo's simulated staff.
struct SandboxStaff: Sendable {
    let state: SandboxState
    let webhooks: SandboxWebhooks

    /// A message or call as staff (or the lead) send it.
    struct MessageDraft: Sendable {
        var outbound: Bool
        var messageType: String
        var userID: String?
        var source: String?
        var status: String?
        var callStatus: String?
        var callDuration: Double?
        var body: String?
    }

    /// Sends a message or makes a call. - Returns: the message id and the webhook id.
    func send(
        _ draft: MessageDraft,
        to contactID: String,
        in locationID: String
    ) async throws(SandboxFailure) -> (messageID: String, webhookID: String) {
        let message = SandboxMessage(
            id: await state.makeID(),
            outbound: draft.outbound,
            messageType: draft.messageType,
            userID: draft.userID,
            source: draft.source,
            status: draft.status ?? (draft.messageType.uppercased() == "CALL" ? "completed" : "delivered"),
            callStatus: draft.callStatus,
            callDuration: draft.callDuration,
            body: draft.body,
            dateAdded: await state.now()
        )
        _ = try await state.update(locationID) { location throws(SandboxFailure) in
            guard location.contacts.contains(where: { $0.id == contactID }) else {
                throw .notFound("Contact with id \(contactID) not found")
            }
            location.messages = location.messages ?? [:]
            location.messages?[contactID, default: []].append(message)
        }
        return (message.id, webhooks.message(message, contactID: contactID, locationID: locationID))
    }

    /// Changes an opportunity as staff do in the pipeline view. - Returns: the opportunity after.
    @discardableResult
    func changeOpportunity(
        _ opportunityID: String,
        in locationID: String,
        status: String? = nil,
        stageName: String? = nil,
        monetaryValue: Double? = nil,
        assignedTo: String? = nil
    ) async throws(SandboxFailure) -> SandboxLocation.Opportunity {
        let before = try await state.location(locationID).opportunityDetails?.first { $0.id == opportunityID }
        let after = try await state.update(locationID) { location throws(SandboxFailure) in
            guard let index = location.opportunityDetails?.firstIndex(where: { $0.id == opportunityID }),
                var opportunity = location.opportunityDetails?[index]
            else { throw .notFound("Opportunity with id \(opportunityID) not found") }
            if let stageName {
                guard let pipeline = location.pipelines.first(where: { $0.id == opportunity.pipelineID }),
                    let stage = SandboxLocation.stages(of: pipeline).first(where: { $0.name == stageName })
                else { throw .badRequest("No stage named '\(stageName)' in the opportunity's pipeline") }
                opportunity.stageID = stage.id
            }
            if let status { opportunity.status = status }
            if let monetaryValue { opportunity.monetaryValue = monetaryValue }
            if let assignedTo { opportunity.assignedTo = assignedTo }
            location.opportunityDetails?[index] = opportunity
        }
        .opportunityDetails?.first { $0.id == opportunityID }
        guard let before, let after else { throw .notFound("Opportunity with id \(opportunityID) not found") }
        webhooks.opportunityChanged(after, from: before, locationID: locationID)
        return after
    }

    /// Books an appointment for a contact.
    func book(
        _ contactID: String,
        in locationID: String,
        status: String = "confirmed",
        startTime: Date? = nil,
        source: String = "booking_widget",
        userID: String? = nil
    ) async throws(SandboxFailure) -> SandboxAppointment {
        let now = await state.now()
        let appointment = SandboxAppointment(
            id: await state.makeID(),
            contactID: contactID,
            status: status,
            source: source,
            userID: userID,
            startTime: startTime ?? now.addingTimeInterval(86_400),
            dateAdded: now,
            dateUpdated: now
        )
        _ = try await state.update(locationID) { location throws(SandboxFailure) in
            guard location.contacts.contains(where: { $0.id == contactID }) else {
                throw .notFound("Contact with id \(contactID) not found")
            }
            location.appointments = (location.appointments ?? []) + [appointment]
        }
        webhooks.appointment(appointment, created: true, locationID: locationID)
        return appointment
    }

    /// Sets an appointment's status (showed, noshow, cancelled …).
    func setAppointment(_ appointmentID: String, in locationID: String, status: String) async throws(SandboxFailure) {
        let now = await state.now()
        let updated = try await state.update(locationID) { location throws(SandboxFailure) in
            guard let index = location.appointments?.firstIndex(where: { $0.id == appointmentID }) else {
                throw .notFound("Appointment with id \(appointmentID) not found")
            }
            location.appointments?[index].status = status
            location.appointments?[index].dateUpdated = now
        }
        .appointments?.first { $0.id == appointmentID }
        if let updated { webhooks.appointment(updated, created: false, locationID: locationID) }
    }
}
