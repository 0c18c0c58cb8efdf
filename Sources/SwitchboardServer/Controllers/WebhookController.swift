import Crypto
import Delivery
import Foundation
import HTTPTypes
import HighLevel
import Hummingbird
import LeadRouting
import LeadTracking
import Logging
import NIOCore
import NIOFoundationCompat
import Storage

/// `POST /webhooks/ghl`: GHL webhook events. The signature is checked over the raw body (fail closed), then the
/// timestamp window, then the `webhookId` (a replay stores nothing). `ContactCreate` becomes a lead; the events that
/// follow a delivered lead (opportunities, messages, appointments, tags …) are applied to it; the rest are
/// acknowledged and dropped. When the store cannot take a write the answer is 429, the one status GHL retries.
struct WebhookController: Sendable {
    let verifier: WebhookVerifier
    let intake: LeadIntake
    let tracking: any TrackingStore
    let workedRules: WorkedRules
    /// Names opportunity stages (GHL's events carry only ids); `nil` without GHL.
    let delivery: LeadDelivery?
    let metrics: ServiceMetrics
    let postalCodeCustomFieldID: String?
    let now: @Sendable () -> Date

    func addRoutes(to router: Router<BasicRequestContext>) {
        router.post("webhooks/ghl") { request, context in try await receive(request, context: context) }
    }

    /// The part of a `ContactCreate` event a lead needs. Every field is read leniently: a signed lead with one
    /// badly typed field is kept (for review, with the field named), never refused — GHL does not retry a 400.
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
        var id: TextField?
        var locationId: TextField?
        var firstName: TextField?
        var lastName: TextField?
        var email: TextField?
        var phone: TextField?
        var postalCode: TextField?
        var source: TextField?
        var tags: Lenient<[String]>?
        var customFields: Lenient<[CustomField]>?

        /// The first field that is not what GHL sends, and what is wrong with it.
        var problem: (field: String, detail: String)? {
            let fields: [(String, TextField?, Int)] = [
                ("id", id, TextLimits.field), ("locationId", locationId, TextLimits.field),
                ("firstName", firstName, TextLimits.field), ("lastName", lastName, TextLimits.field),
                ("email", email, TextLimits.field), ("phone", phone, TextLimits.field),
                ("postalCode", postalCode, TextLimits.postalCode), ("source", source, TextLimits.field),
            ]
            for (name, field, limit) in fields {
                switch field {
                case .wrong(let kind)?:
                    let hint =
                        name == "postalCode" && kind == "a number"
                        ? " (a number may have lost a postal code's leading zeros)" : ""
                    return (name, "field '\(name)' is \(kind), not text\(hint)")
                case .text(let text)? where text.utf8.count > limit && text.unicodeScalars.count > limit:
                    return (name, "field '\(name)' is longer than \(limit) characters (Unicode code points)")
                case .text(let text)? where text.utf8.contains(0):
                    return (name, "field '\(name)' contains a NUL character")
                default: continue
                }
            }
            if case .wrong(let kind)? = tags { return ("tags", "field 'tags' is \(kind), not a list of text") }
            if case .wrong(let kind)? = customFields {
                return ("customFields", "field 'customFields' is \(kind), not a list of fields")
            }
            return nil
        }
    }

    /// A JSON value that should be text: the text, or what was sent instead.
    enum TextField: Decodable {
        case text(String)
        case wrong(String)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self = .text(text)
            } else {
                self = .wrong(Self.kind(of: container))
            }
        }

        var text: String? { if case .text(let text) = self { text } else { nil } }

        static func kind(of container: any SingleValueDecodingContainer) -> String {
            if (try? container.decode(Bool.self)) != nil { return "a boolean" }
            if (try? container.decode(Double.self)) != nil { return "a number" }
            if (try? container.decode([JSONAny].self)) != nil { return "an array" }
            return "an object"
        }
    }

    /// Any JSON value (only to tell arrays from objects).
    struct JSONAny: Decodable {
        init(from decoder: any Decoder) throws {}
    }

    /// A value of an expected shape, or what was sent instead.
    enum Lenient<Value: Decodable>: Decodable {
        case value(Value)
        case wrong(String)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Value.self) {
                self = .value(value)
            } else {
                self = .wrong(TextField.kind(of: container))
            }
        }

        var value: Value? { if case .value(let value) = self { value } else { nil } }
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
            switch error.code {
            case .malformedBody, .missingTimestamp:
                // The signature matched: the sender is who it says, but the body is not a webhook we can read.
                throw Problem("webhook-malformed", status: .badRequest, detail: error.message)
            default:
                throw Problem("webhook-rejected", status: .unauthorized, detail: error.message)
            }
        }
        // A webhook without an id is de-duplicated by its signed body: the same bytes twice are one event.
        let key = verified.webhookID ?? "sha256:" + SHA256.hash(data: body).map { String(format: "%02x", $0) }.joined()
        guard verified.type == "ContactCreate" else {
            return try await follow(verified, key: key, context: context)
        }
        let event: ContactEvent
        do {
            event = try JSONDecoder().decode(ContactEvent.self, from: body)
        } catch let error as DecodingError {
            throw RequestBody.problem(for: error)
        }
        // Switchboard's own delivery creates contacts (tagged as routed); their ContactCreate is not a new lead.
        if event.tags?.value?.contains(DeliveryStep.routedTag) == true {
            context.logger.debug(
                "webhook ignored: a contact Switchboard delivered",
                metadata: ["contact": "\(event.id?.text ?? "")"]
            )
            return try Self.json(.ok, ["status": "ignored", "type": "ContactCreate"])
        }
        var postalCode = event.postalCode?.text
        if postalCode?.isEmpty ?? true, let fieldID = postalCodeCustomFieldID,
            case .text(let value)? = event.customFields?.value?.first(where: { $0.id == fieldID })?.value
        {
            postalCode = value
        }
        var intakeProblem: LeadRecord.IntakeProblem?
        if let problem = event.problem {
            intakeProblem = LeadRecord.IntakeProblem(
                field: problem.field,
                detail: problem.detail + "; the lead is kept for review",
                rawBody: String(decoding: body, as: UTF8.self)
            )
        }
        /// A field's text, unless it is the one at fault (which stays only in the raw body).
        func text(_ name: String, _ field: TextField?) -> String? {
            intakeProblem?.field == name ? nil : field?.text
        }
        let lead = Lead(
            postalCode: intakeProblem?.field == "postalCode" ? nil : postalCode,
            email: text("email", event.email),
            phone: text("phone", event.phone),
            source: text("source", event.source),
            arrivedAt: now()
        )
        let record = LeadRecord(
            id: LeadIntake.newID(),
            channel: "webhook",
            firstName: text("firstName", event.firstName),
            lastName: text("lastName", event.lastName),
            lead: lead,
            origin: LeadRecord.GHLOrigin(
                contactID: text("id", event.id),
                locationID: intakeProblem?.field == "locationId"
                    ? nil : (event.locationId?.text ?? verified.locationID)
            ),
            intakeProblem: intakeProblem
        )
        switch try await intake.submit(Intake(record: record, webhookID: key)) {
        case .stored(let leadID):
            guard let intakeProblem else { return try Self.json(.ok, ["status": "received", "leadId": leadID]) }
            context.logger.notice(
                "signed lead kept for review",
                metadata: ["lead": "\(leadID)", "field": "\(intakeProblem.field)"]
            )
            return try Self.json(.ok, ["status": "review", "leadId": leadID, "detail": intakeProblem.detail])
        case .duplicate(let leadID), .keyReused(let leadID):
            // Receivers answer 2xx to a duplicate they already have (some senders retry or disable an endpoint
            // on anything else); nothing is stored.
            metrics.webhookRejected(reason: "replayed")
            var answer = ["status": "duplicate"]
            answer["leadId"] = leadID
            return try Self.json(.ok, answer)
        }
    }

    /// An event about a contact: applied to the lead Switchboard delivered as that contact, if any.
    private func follow(_ verified: VerifiedWebhook, key: String, context: BasicRequestContext) async throws -> Response
    {
        let type = verified.type ?? ""
        guard let event = GHLEvent(body: verified.body, webhookID: key, timestamp: verified.timestamp) else {
            context.logger.debug("webhook ignored", metadata: ["type": "\(type)"])
            return try Self.json(.ok, ["status": "ignored", "type": type])
        }
        // A busy store is answered 429 (ProblemMiddleware): GHL retries it with the same body.
        let named = await delivery?.namingStages([event]) ?? [event]
        switch try await tracking.track(named, rules: workedRules, at: now())[0] {
        case .applied(let leadID):
            metrics.ghlEventTracked(type: type, result: "applied")
            return try Self.json(.ok, ["status": "tracked", "type": type, "leadId": leadID])
        case .early(let leadID):
            // The delivery is still under way: the event waits for the attempt, and is applied when it starts.
            metrics.ghlEventTracked(type: type, result: "early")
            return try Self.json(.ok, ["status": "tracked", "type": type, "leadId": leadID])
        case .duplicate(let leadID):
            metrics.ghlEventTracked(type: type, result: "duplicate")
            return try Self.json(.ok, ["status": "duplicate", "type": type, "leadId": leadID])
        case .untracked:
            metrics.ghlEventTracked(type: type, result: "untracked")
            return try Self.json(.ok, ["status": "ignored", "type": type])
        case .installation(let installed):
            metrics.ghlEventTracked(type: type, result: "applied")
            context.logger.notice(
                installed
                    ? "Switchboard's app installed: GHL sends this sub-account's events"
                    : "Switchboard's app uninstalled: no more events from this sub-account; only reading back follows its leads",
                metadata: ["ghlLocation": "\(event.ghlLocationID)"]
            )
            return try Self.json(.ok, ["status": installed ? "installed" : "uninstalled", "type": type])
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
