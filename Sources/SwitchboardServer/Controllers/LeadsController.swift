import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import LeadRouting
import NIOCore
import NIOFoundationCompat
import Storage

/// `/v1/leads`: intake from forms, walk-ins and other sources, and the admin view of leads and the review queue.
struct LeadsController: Sendable {
    let intake: LeadIntake
    let store: any SwitchboardStore
    let router: LeadRouter
    let now: @Sendable () -> Date

    func addRoutes(to group: RouterGroup<BasicRequestContext>) {
        group.post("leads") { request, _ in try await create(request) }
        group.get("leads") { request, _ in try await list(request) }
        group.get("leads/:id") { _, context in
            let id = try context.parameters.require("id")
            guard let record = try await store.lead(id: id) else { throw Problem.notFound("no lead '\(id)'") }
            var resource = LeadResource(record)
            if let delivery = try await store.delivery(ofLead: id) {
                resource.delivery = DeliveryResource(delivery, steps: try await store.jobs(ofLead: id))
            }
            resource.attempts = try await store.attempts(ofLead: id).map(AttemptResource.init)
            resource.timeline = try await store.timeline(ofLead: id).map(TimelineResource.init)
            return try Self.json(.ok, resource)
        }
        group.post("leads/:id/assign") { request, context in try await assign(request, context: context) }
        group.post("leads/:id/release") { _, context in
            let id = try context.parameters.require("id")
            guard try await store.lead(id: id) != nil else { throw Problem.notFound("no lead '\(id)'") }
            let released = try await router.release(leadID: id)
            return try Self.json(.ok, Released(leadId: id, released: released))
        }
    }

    /// The answer to a release: whether the lead held a slot that was given back.
    private struct Released: Encodable {
        var leadId: String
        var released: Bool
    }

    /// The answer to a stored lead; the same for a repeated request with the same idempotency key.
    private struct Accepted: Encodable {
        var id: String
        var status: String
        var href: String
    }

    private func create(_ request: Request) async throws -> Response {
        try RequestBody.requireJSON(request)
        let buffer = try await RequestBody.bytes(of: request)
        let input = try RequestBody.decode(LeadInput.self, from: buffer)
        let id = LeadIntake.newID()
        let lead = try input.lead(id: id, arrivedAt: now())
        var idempotency: Intake.IdempotencyKey?
        if let key = request.headers[.idempotencyKey] {
            guard !key.isEmpty, key.unicodeScalars.count <= 255 else {
                throw Problem.invalidField("Idempotency-Key", "must be 1 to 255 characters")
            }
            let digest = SHA256.hash(data: Data(buffer: buffer)).map { String(format: "%02x", $0) }.joined()
            idempotency = Intake.IdempotencyKey(key: key, requestDigest: digest)
        }
        let record = LeadRecord(
            id: id,
            channel: request.headers[.switchboardChannel] == "import" ? "import" : "api",
            firstName: input.firstName,
            lastName: input.lastName,
            lead: lead
        )
        switch try await intake.submit(Intake(record: record, idempotency: idempotency)) {
        case .stored(let leadID):
            return try Self.json(.accepted, Accepted(id: leadID, status: "received", href: "/v1/leads/\(leadID)"))
        case .duplicate(let leadID?):
            // The same answer as the first time, marked as a replay (as Stripe's `Idempotent-Replayed`).
            var response = try Self.json(
                .accepted,
                Accepted(id: leadID, status: "received", href: "/v1/leads/\(leadID)")
            )
            response.headers[.idempotentReplayed] = "true"
            return response
        case .duplicate(nil):
            throw Problem.conflict("this request was already received", field: "Idempotency-Key")
        case .keyReused(let leadID):
            throw Problem(
                "idempotency-key-reused",
                status: .conflict,
                detail: "Idempotency-Key was already used with a different body",
                field: "Idempotency-Key",
                leadId: leadID
            )
        }
    }

    private struct Page: Encodable {
        var leads: [LeadResource]
        var next: String?
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(leads, forKey: .leads)
            try container.encode(next, forKey: .next)
        }
        private enum CodingKeys: String, CodingKey { case leads, next }
    }

    private func list(_ request: Request) async throws -> Response {
        let parameters = request.uri.queryParameters
        var query = LeadQuery()
        if let text = parameters.get("outcome") {
            guard let outcome = RoutingOutcome(rawValue: text) else {
                let allowed = RoutingOutcome.allCases.map(\.rawValue).joined(separator: ", ")
                throw Problem.invalidField("outcome", "'\(text)' is not one of \(allowed)")
            }
            query.outcome = outcome
        }
        if let text = parameters.get("status") {
            guard let status = LeadRecord.Status(rawValue: text) else {
                let allowed = LeadRecord.Status.allCases.map(\.rawValue).joined(separator: ", ")
                throw Problem.invalidField("status", "'\(text)' is not one of \(allowed)")
            }
            query.status = status
        }
        query.locationID = parameters.get("locationId")
        query.since = try Self.date(parameters.get("since"), field: "since")
        query.until = try Self.date(parameters.get("until"), field: "until")
        if let text = parameters.get("limit") {
            guard let limit = Int(text), (1...500).contains(limit) else {
                throw Problem.invalidField("limit", "must be an integer from 1 to 500")
            }
            query.limit = limit
        }
        if let text = parameters.get("cursor") {
            guard let cursor = LeadCursor(text: text) else {
                throw Problem.invalidField("cursor", "is not a cursor from a previous page's 'next'")
            }
            query.after = cursor
        }
        let page = try await store.leads(matching: query)
        return try Self.json(.ok, Page(leads: page.leads.map(LeadResource.init), next: page.next?.text))
    }

    private struct AssignInput: Decodable {
        var locationId: String
        var overrideCapacity: Bool?
        var note: String?
    }

    private func assign(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        try RequestBody.requireJSON(request)
        let input = try RequestBody.decode(AssignInput.self, from: try await RequestBody.bytes(of: request))
        try TextLimits.check("locationId", input.locationId, maxBytes: Location.maximumIDLength)
        try TextLimits.check("note", input.note, maxBytes: TextLimits.note)
        do {
            _ = try await router.assign(
                leadID: id,
                to: input.locationId,
                overrideCapacity: input.overrideCapacity ?? false,
                note: input.note
            )
        } catch let error as LeadRouter.AssignmentError {
            switch error {
            case .unknownLead(let lead): throw Problem.notFound("no lead '\(lead)'")
            case .unknownLocation(let location):
                throw Problem(
                    "unknown-location",
                    status: .unprocessableContent,
                    detail: "no location '\(location)'",
                    field: "locationId"
                )
            case .full(let location, let usage, let limits):
                throw Problem(
                    "no-capacity",
                    status: .conflict,
                    detail: "\(location) is full (\(usage.today)/\(limits.daily.map(String.init) ?? "∞") today, "
                        + "\(usage.thisWeek)/\(limits.weekly.map(String.init) ?? "∞") this week); "
                        + "send overrideCapacity: true to assign anyway",
                    field: "locationId"
                )
            }
        }
        guard let record = try await store.lead(id: id) else { throw Problem.notFound("no lead '\(id)'") }
        return try Self.json(.ok, LeadResource(record))
    }

    static func date(_ text: String?, field: String) throws -> Date? {
        guard let text else { return nil }
        guard let date = InternetTimestamp.date(from: text) else {
            throw Problem.invalidField(field, "'\(text)' is not an ISO 8601 time such as 2026-11-30T12:00:00Z")
        }
        return date
    }

    static func json(_ status: HTTPResponse.Status, _ value: some Encodable) throws -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder.api.encode(value)))
        )
    }
}

extension HTTPField.Name {
    /// Set by `switchboard leads import` so that imported leads are labelled as such.
    static let switchboardChannel = HTTPField.Name("X-Switchboard-Channel")!
    /// On a repeated request with the same `Idempotency-Key`: the answer is the first one's.
    static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!
}
