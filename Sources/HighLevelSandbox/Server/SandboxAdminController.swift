import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The sandbox's own endpoints under `/_sandbox` (agency token required): the journal, the fault plan, token
/// expiry.
struct SandboxAdminController: Sendable {
    let state: SandboxState
    let journal: SandboxJournal
    let controls: SandboxControls
    let agencyToken: String
    let webhooks: SandboxWebhooks

    /// A contact created by hand in a sub-account, as a person would in GHL's UI.
    struct ContactRequest: Decodable {
        var firstName: String?
        var lastName: String?
        var email: String?
        var phone: String?
        var postalCode: String?
        var source: String?
    }

    /// Sub-account settings GHL keeps outside the API Switchboard uses.
    struct SettingsRequest: Decodable {
        var allowDuplicateContact: Bool?
    }

    /// The fault plan as the admin endpoint takes it: durations relative to now.
    struct FaultRequest: Decodable {
        var errorRate: Double?
        var latencyMilliseconds: [Int]?
        var outageSeconds: Double?
        var throttleSeconds: Double?
        /// How long snapshot loads take from now on (negative: they never finish).
        var snapshotDelaySeconds: Double?
        /// Drop this many of the next webhooks (GHL loses a webhook on any answer but 429).
        var dropWebhooks: Int?
        /// Send each of this many of the next webhooks twice.
        var duplicateWebhooks: Int?
        /// Hold back each of this many of the next webhooks until the one after it is sent.
        var reorderWebhooks: Int?
    }

    func addRoutes(to group: RouterGroup<BasicRequestContext>) {
        group.get("journal") { request, _ -> Response in
            try authorize(request)
            let operation = request.uri.queryParameters.get("operation")
            let entries = await journal.entries(operation: operation)
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            return Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(entries)))
            )
        }
        // The most calls each resource took within any window (exact times; the journal's dates are whole
        // seconds), and the calls by status: "no location went over its budget" in one request.
        group.get("journal/peaks") { request, _ -> Response in
            try authorize(request)
            let window = request.uri.queryParameters.get("windowSeconds").flatMap(Double.init) ?? 10
            let entries = await journal.entries()
            var peaks: [String: Int] = [:]
            for resource in Set(entries.compactMap(\.resource)) {
                peaks[resource] = await journal.peakCalls(resource: resource, within: window)
            }
            var statuses: [String: Int] = [:]
            for entry in entries { statuses[String(entry.status), default: 0] += 1 }
            let body = try JSONSerialization.data(
                withJSONObject: ["windowSeconds": window, "peaks": peaks, "statuses": statuses],
                options: [.sortedKeys]
            )
            return Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: body))
            )
        }
        group.put("faults") { request, context -> HTTPResponse.Status in
            try authorize(request)
            let plan = try await request.decode(as: FaultRequest.self, context: context)
            let now = Date()
            let latency = plan.latencyMilliseconds ?? [0, 0]
            guard latency.count == 2, latency[0] >= 0, latency[0] <= latency[1] else {
                throw HTTPError(.badRequest, message: "latencyMilliseconds must be [min, max]")
            }
            if let drop = plan.dropWebhooks { webhooks.dropNext(drop) }
            if let duplicate = plan.duplicateWebhooks { webhooks.duplicateNext(duplicate) }
            if let reorder = plan.reorderWebhooks { webhooks.reorderNext(reorder) }
            if let delay = plan.snapshotDelaySeconds {
                await state.setSnapshotLoadDelay(.milliseconds(Int(delay * 1000)))
            }
            await controls.setFaults(
                FaultPlan(
                    errorRate: min(1, max(0, plan.errorRate ?? 0)),
                    latencyMilliseconds: latency[0]...latency[1],
                    outageUntil: plan.outageSeconds.map { now.addingTimeInterval($0) },
                    throttleUntil: plan.throttleSeconds.map { now.addingTimeInterval($0) }
                )
            )
            return .noContent
        }
        // The webhooks sent (newest 10,000), oldest first: id, type, whether the fault plan dropped it, the body.
        group.get("webhooks") { request, _ -> Response in
            try authorize(request)
            let type = request.uri.queryParameters.get("type")
            let list: [[String: Any]] = webhooks.sent().filter { type == nil || $0.type == type }.map {
                [
                    "webhookId": $0.id, "type": $0.type, "dropped": $0.dropped,
                    "body": (try? JSONSerialization.jsonObject(with: $0.body)) ?? [:],
                ]
            }
            let body = try JSONSerialization.data(withJSONObject: ["webhooks": list], options: [.sortedKeys])
            return Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: body))
            )
        }
        // Sends a webhook again, byte for byte with its original signature and timestamp (GHL's 429 retry).
        group.post("webhooks/:webhookId/resend") { request, context -> HTTPResponse.Status in
            try authorize(request)
            let id = try context.parameters.require("webhookId")
            guard await webhooks.resend(webhookID: id) else {
                throw HTTPError(.notFound, message: "no webhook \(id) was sent (or it is no longer kept)")
            }
            return .noContent
        }
        group.get("webhook-public-key") { _, _ -> String in
            webhooks.publicKeyBase64
        }
        // Creates a contact as GHL's UI would, which sends a signed ContactCreate webhook to the configured URLs.
        group.post("locations/:locationId/contacts") { request, context -> Response in
            try authorize(request)
            let id = try context.parameters.require("locationId")
            let input = try await request.decode(as: ContactRequest.self, context: context)
            let draft = ContactInput(
                firstName: input.firstName,
                lastName: input.lastName,
                email: input.email,
                phone: input.phone,
                postalCode: input.postalCode,
                source: input.source ?? "sandbox",
                tags: nil,
                customFields: [:]
            )
            let contact: SandboxLocation.Contact
            do {
                contact = try await state.createContact(draft, in: id)
            } catch let failure as SandboxFailure {
                throw HTTPError(.init(code: failure.status), message: failure.message)
            }
            webhooks.contactEvent("ContactCreate", contact, locationID: id)
            return Response(
                status: .created,
                headers: [.contentType: "application/json"],
                body: .init(
                    byteBuffer: ByteBuffer(string: #"{"contactId":"\#(contact.id)","webhook":"ContactCreate"}"#)
                )
            )
        }
        group.put("locations/:locationId/settings") { request, context -> HTTPResponse.Status in
            try authorize(request)
            let id = try context.parameters.require("locationId")
            let settings = try await request.decode(as: SettingsRequest.self, context: context)
            do {
                _ = try await state.update(id) { location throws(SandboxFailure) in
                    if let allow = settings.allowDuplicateContact { location.allowDuplicateContact = allow }
                }
            } catch let failure as SandboxFailure {
                throw HTTPError(.notFound, message: failure.message)
            }
            return .noContent
        }
        group.post("expire-location-tokens") { request, _ -> HTTPResponse.Status in
            try authorize(request)
            await state.expireLocationTokens()
            return .noContent
        }
    }

    func authorize(_ request: Request) throws {
        guard request.headers[.authorization] == "Bearer \(agencyToken)" else {
            throw HTTPError(.unauthorized, message: "the sandbox admin endpoints need the agency token")
        }
    }
}
