import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// What a gym's staff do in GHL, as sandbox endpoints under `/_sandbox/locations/{locationId}` (agency token): send
/// messages and make calls, reply as the lead, move and close opportunities, book appointments, tag, set
/// do-not-disturb. Each sends the webhooks GHL would, signed, so tests and demos drive the whole loop.
struct SandboxStaffController: Sendable {
    let state: SandboxState
    let webhooks: SandboxWebhooks
    let authorize: @Sendable (Request) throws -> Void
    var staff: SandboxStaff { SandboxStaff(state: state, webhooks: webhooks) }

    struct MessageRequest: Decodable {
        var direction: String
        var messageType: String
        var userId: String?
        var source: String?
        var status: String?
        var callStatus: String?
        var callDuration: Double?
        var body: String?
    }

    struct OpportunityRequest: Decodable {
        var status: String?
        var stageName: String?
        var monetaryValue: Double?
        var assignedTo: String?
    }

    struct AppointmentRequest: Decodable {
        var status: String?
        var startTime: Date?
        var source: String?
        var userId: String?
    }

    struct TagsRequest: Decodable {
        var tags: [String]
    }

    struct DndRequest: Decodable {
        var dnd: Bool
    }

    static let opportunityStatuses: Set<String> = ["open", "won", "lost", "abandoned"]
    static let appointmentStatuses: Set<String> = ["new", "confirmed", "cancelled", "showed", "noshow", "invalid"]

    func addRoutes(to group: RouterGroup<BasicRequestContext>) {
        group.post("locations/:locationId/contacts/:contactId/messages") { request, context -> Response in
            try authorize(request)
            let (locationID, contactID) = try ids(context, "contactId")
            let input = try await request.decode(as: MessageRequest.self, context: context)
            guard ["outbound", "inbound"].contains(input.direction) else {
                throw HTTPError(.badRequest, message: "direction must be outbound or inbound")
            }
            let draft = SandboxStaff.MessageDraft(
                outbound: input.direction == "outbound",
                messageType: input.messageType,
                userID: input.userId,
                source: input.source,
                status: input.status,
                callStatus: input.callStatus,
                callDuration: input.callDuration,
                body: input.body
            )
            let sent = try await answering { () throws(SandboxFailure) in
                try await staff.send(draft, to: contactID, in: locationID)
            }
            return try Self.json(.created, ["messageId": sent.messageID, "webhookId": sent.webhookID])
        }
        group.put("locations/:locationId/opportunities/:opportunityId") { request, context -> Response in
            try authorize(request)
            let (locationID, opportunityID) = try ids(context, "opportunityId")
            let input = try await request.decode(as: OpportunityRequest.self, context: context)
            if let status = input.status, !Self.opportunityStatuses.contains(status) {
                throw HTTPError(.badRequest, message: "status must be one of open, won, lost, abandoned")
            }
            let after = try await answering { () throws(SandboxFailure) in
                try await staff.changeOpportunity(
                    opportunityID,
                    in: locationID,
                    status: input.status,
                    stageName: input.stageName,
                    monetaryValue: input.monetaryValue,
                    assignedTo: input.assignedTo
                )
            }
            return try Self.json(.ok, ["opportunityId": opportunityID, "status": after.status])
        }
        group.post("locations/:locationId/contacts/:contactId/appointments") { request, context -> Response in
            try authorize(request)
            let (locationID, contactID) = try ids(context, "contactId")
            let input = try await request.decode(as: AppointmentRequest.self, context: context)
            let status = input.status ?? "confirmed"
            guard Self.appointmentStatuses.contains(status) else {
                throw HTTPError(.badRequest, message: "status must be one of \(Self.appointmentStatuses.sorted())")
            }
            let appointment = try await answering { () throws(SandboxFailure) in
                try await staff.book(
                    contactID,
                    in: locationID,
                    status: status,
                    startTime: input.startTime,
                    source: input.source ?? "booking_widget",
                    userID: input.userId
                )
            }
            return try Self.json(.created, ["appointmentId": appointment.id])
        }
        group.put("locations/:locationId/appointments/:appointmentId") { request, context -> Response in
            try authorize(request)
            let (locationID, appointmentID) = try ids(context, "appointmentId")
            let input = try await request.decode(as: AppointmentRequest.self, context: context)
            guard let status = input.status, Self.appointmentStatuses.contains(status) else {
                throw HTTPError(.badRequest, message: "status must be one of \(Self.appointmentStatuses.sorted())")
            }
            try await answering { () throws(SandboxFailure) in
                try await staff.setAppointment(appointmentID, in: locationID, status: status)
            }
            return try Self.json(.ok, ["appointmentId": appointmentID, "status": status])
        }
        group.put("locations/:locationId/contacts/:contactId/tags") { request, context -> Response in
            try authorize(request)
            let (locationID, contactID) = try ids(context, "contactId")
            let input = try await request.decode(as: TagsRequest.self, context: context)
            let contact = try await change(locationID) { location throws(SandboxFailure) in
                guard let index = location.contacts.firstIndex(where: { $0.id == contactID }) else {
                    throw .notFound("Contact with id \(contactID) not found")
                }
                location.contacts[index].tags = input.tags
            }
            .contacts.first { $0.id == contactID }
            if let contact { webhooks.contactEvent("ContactTagUpdate", contact, locationID: locationID) }
            return try Self.json(.ok, ["contactId": contactID])
        }
        group.put("locations/:locationId/contacts/:contactId/dnd") { request, context -> Response in
            try authorize(request)
            let (locationID, contactID) = try ids(context, "contactId")
            let input = try await request.decode(as: DndRequest.self, context: context)
            let contact = try await change(locationID) { _ throws(SandboxFailure) in }
                .contacts.first { $0.id == contactID }
            if let contact {
                webhooks.contactEvent("ContactDndUpdate", contact, locationID: locationID, extra: ["dnd": input.dnd])
            }
            return try Self.json(.ok, ["contactId": contactID])
        }
    }

    private func ids(_ context: BasicRequestContext, _ second: String) throws -> (String, String) {
        (try context.parameters.require("locationId"), try context.parameters.require(second))
    }

    /// Runs a staff action; its failures become HTTP errors.
    @discardableResult
    private func answering<T>(_ action: () async throws(SandboxFailure) -> T) async throws -> T {
        do {
            return try await action()
        } catch {
            throw HTTPError(.init(code: error.status), message: error.message)
        }
    }

    /// Changes a sub-account (an empty change reads it); its failures become HTTP errors. - Returns: the
    /// sub-account after the change.
    @discardableResult
    private func change(
        _ locationID: String,
        _ body: @Sendable (inout SandboxLocation) throws(SandboxFailure) -> Void
    ) async throws -> SandboxLocation {
        do {
            return try await state.update(locationID, body)
        } catch {
            throw HTTPError(.init(code: error.status), message: error.message)
        }
    }

    static func json(_ status: HTTPResponse.Status, _ object: [String: String]) throws -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: object)))
        )
    }
}
