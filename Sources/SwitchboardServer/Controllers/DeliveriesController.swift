import Delivery
import Foundation
import Hummingbird
import Notifications
import Storage

/// `/v1/deliveries`: dead letters (what could not be delivered into GHL — or, with `kind=notify`, notifications
/// no endpoint took — and why) and replaying them.
struct DeliveriesController: Sendable {
    let store: any SwitchboardStore
    let worker: DeliveryWorker?
    let notifications: NotificationWorker?
    let now: @Sendable () -> Date

    /// `deliver` (the default) or `notify`.
    static func kind(_ text: String?, field: String) throws -> Job.Kind {
        switch text {
        case nil, "deliver": return .deliver
        case "notify": return .notify
        case let other?: throw Problem.invalidField(field, "'\(other)' is not deliver or notify")
        }
    }

    func addRoutes(to group: RouterGroup<BasicRequestContext>) {
        group.get("deliveries/dead-letters") { request, _ in
            let parameters = request.uri.queryParameters
            let since = try LeadsController.date(parameters.get("since"), field: "since")
            var limit = 100
            if let text = parameters.get("limit") {
                guard let value = Int(text), (1...1_000).contains(value) else {
                    throw Problem.invalidField("limit", "must be an integer from 1 to 1000")
                }
                limit = value
            }
            let kind = try Self.kind(parameters.get("kind"), field: "kind")
            let jobs = try await store.deadLetters(kind: kind, since: since, limit: limit)
            return try LeadsController.json(.ok, ["deadLetters": jobs.map(JobResource.init)])
        }
        group.post("deliveries/replay") { request, _ in
            let input = try await LocationsController.decode(ReplayInput.self, request)
            guard (input.ids == nil) != (input.since == nil) else {
                throw Problem.invalidField(
                    "ids",
                    input.ids == nil
                        ? "give ids (dead letters to replay) or since (a time)"
                        : "give either ids (dead letters to replay) or since (a time), not both"
                )
            }
            let kind = try Self.kind(input.kind, field: "kind")
            let count = try await store.replayDeadLetters(kind: kind, ids: input.ids, since: input.since, at: now())
            if kind == .notify { notifications?.didQueue() } else { worker?.wake() }
            return try LeadsController.json(.ok, ["replayed": count])
        }
    }

    private struct ReplayInput: Decodable {
        var ids: [Int64]?
        var since: Date?
        var kind: String?
    }
}

/// A job in the API: a delivery step (or a notification) with its attempts and last error.
struct JobResource: Encodable, Sendable {
    var id: Int64
    var kind: String
    @Nullable var leadId: String?
    @Nullable var step: String?
    var status: String
    var attempts: Int
    @Nullable var lastError: String?
    var runAt: Date

    init(_ job: Job) {
        id = job.id
        kind = job.kind.rawValue
        leadId = job.leadID
        step = job.step
        status = job.status.rawValue
        attempts = job.attempts
        lastError = job.lastError
        runAt = job.runAt
    }
}
