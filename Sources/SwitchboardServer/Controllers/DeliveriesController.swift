import Delivery
import Foundation
import Hummingbird
import Storage

/// `/v1/deliveries`: dead letters (what could not be delivered, and why) and replaying them.
struct DeliveriesController: Sendable {
    let store: any SwitchboardStore
    let worker: DeliveryWorker?
    let now: @Sendable () -> Date

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
            let jobs = try await store.deadLetters(kind: .deliver, since: since, limit: limit)
            return try LeadsController.json(.ok, ["deadLetters": jobs.map(JobResource.init)])
        }
        group.post("deliveries/replay") { request, _ in
            let input = try await LocationsController.decode(ReplayInput.self, request)
            guard (input.ids == nil) != (input.since == nil) else {
                throw Problem.invalidField(
                    "ids",
                    "give either ids (dead letters to replay) or since (a time), not both"
                )
            }
            let count = try await store.replayDeadLetters(kind: .deliver, ids: input.ids, since: input.since, at: now())
            worker?.wake()
            return try LeadsController.json(.ok, ["replayed": count])
        }
    }

    private struct ReplayInput: Decodable {
        var ids: [Int64]?
        var since: Date?
    }
}

/// A job in the API: a delivery step with its attempts and last error.
struct JobResource: Encodable, Sendable {
    var id: Int64
    @Nullable var leadId: String?
    @Nullable var step: String?
    var status: String
    var attempts: Int
    @Nullable var lastError: String?
    var runAt: Date

    init(_ job: Job) {
        id = job.id
        leadId = job.leadID
        step = job.step
        status = job.status.rawValue
        attempts = job.attempts
        lastError = job.lastError
        runAt = job.runAt
    }
}
