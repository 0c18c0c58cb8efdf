import Delivery
import Foundation
import HTTPTypes
import HighLevel
import Hummingbird
import LeadRouting
import Logging
import NIOCore
import NIOFoundationCompat
import Storage

/// `POST /webhooks/ghl`: GHL webhook events. The signature is checked over the raw body (fail closed), then the
/// timestamp window, then the `webhookId` (a replay stores nothing). `ContactCreate` becomes a lead; other events
/// are acknowledged and ignored. When the lead cannot be stored the answer is 429, the one status GHL retries.
struct WebhookController: Sendable {
    let verifier: WebhookVerifier
    let intake: LeadIntake
    let metrics: ServiceMetrics
    let postalCodeCustomFieldID: String?
    let now: @Sendable () -> Date

    func addRoutes(to router: Router<BasicRequestContext>) {
        router.post("webhooks/ghl") { request, context in try await receive(request, context: context) }
    }

    /// The part of a `ContactCreate` event a lead needs.
    private struct ContactEvent: Decodable {
        struct CustomField: Decodable {
            var id: String?
            var value: FieldValue?
        }
        /// Custom field values may be strings, numbers, arrays or objects; only scalars are read.
        enum FieldValue: Decodable {
            case text(String)
            case other
            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let text = try? container.decode(String.self) {
                    self = .text(text)
                } else if let number = try? container.decode(Double.self) {
                    self = .text(number == number.rounded() ? String(Int(number)) : String(number))
                } else {
                    self = .other
                }
            }
        }
        var id: String?
        var locationId: String?
        var firstName: String?
        var lastName: String?
        var email: String?
        var phone: String?
        var postalCode: String?
        var source: String?
        var tags: [String]?
        var customFields: [CustomField]?
    }

    private func receive(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let buffer = try await RequestBody.bytes(of: request)
        let body = Data(buffer: buffer)
        let verified: VerifiedWebhook
        do {
            verified = try verifier.verify(
                body: body,
                ghlSignature: request.headers[.ghlSignature],
                legacySignature: request.headers[.legacySignature],
                now: now()
            )
        } catch {
            metrics.webhookRejected(reason: error.code.description)
            context.logger.notice("webhook rejected", metadata: ["reason": "\(error.code)"])
            throw Problem("webhook-rejected", status: .unauthorized, detail: error.message)
        }
        guard verified.type == "ContactCreate" else {
            context.logger.debug("webhook ignored", metadata: ["type": "\(verified.type ?? "none")"])
            return try Self.json(.ok, ["status": "ignored", "type": verified.type ?? ""])
        }
        let event: ContactEvent
        do {
            event = try JSONDecoder().decode(ContactEvent.self, from: body)
        } catch let error as DecodingError {
            throw RequestBody.problem(for: error)
        }
        // Switchboard's own delivery creates contacts (tagged as routed); their ContactCreate is not a new lead.
        if event.tags?.contains(DeliveryStep.routedTag) == true {
            context.logger.debug(
                "webhook ignored: a contact Switchboard delivered",
                metadata: ["contact": "\(event.id ?? "")"]
            )
            return try Self.json(.ok, ["status": "ignored", "type": "ContactCreate"])
        }
        var postalCode = event.postalCode
        if postalCode?.isEmpty ?? true, let fieldID = postalCodeCustomFieldID,
            case .text(let value)? = event.customFields?.first(where: { $0.id == fieldID })?.value
        {
            postalCode = value
        }
        let lead = Lead(
            postalCode: postalCode,
            email: event.email,
            phone: event.phone,
            source: event.source,
            arrivedAt: now()
        )
        let record = LeadRecord(
            id: LeadIntake.newID(),
            channel: "webhook",
            firstName: event.firstName,
            lastName: event.lastName,
            lead: lead,
            origin: LeadRecord.GHLOrigin(contactID: event.id, locationID: event.locationId ?? verified.locationID)
        )
        switch try await intake.submit(Intake(record: record, webhookID: verified.webhookID)) {
        case .stored(let leadID):
            return try Self.json(.ok, ["status": "received", "leadId": leadID])
        case .duplicate(let leadID), .keyReused(let leadID):
            metrics.webhookRejected(reason: "replayed")
            throw Problem(
                "duplicate-webhook",
                status: .conflict,
                detail: "webhook \(verified.webhookID ?? "") was already received; nothing was stored",
                leadId: leadID
            )
        }
    }

    static func json(_ status: HTTPResponse.Status, _ object: [String: String]) throws -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder.api.encode(object)))
        )
    }
}

extension HTTPField.Name {
    static let ghlSignature = HTTPField.Name("x-ghl-signature")!
    static let legacySignature = HTTPField.Name("x-wh-signature")!
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
}
