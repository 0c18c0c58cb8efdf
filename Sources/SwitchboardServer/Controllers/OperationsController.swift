import Foundation
import Hummingbird
import LeadRouting
import NIOCore
import Storage

/// Health, metrics, the OpenAPI document and the routing preview.
struct OperationsController: Sendable {
    let store: any SwitchboardStore
    let router: LeadRouter
    let worker: RoutingWorker
    let metrics: ServiceMetrics
    let readinessChecks: [ReadinessCheck]
    let now: @Sendable () -> Date

    func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("health/live") { _, _ in
            try LeadsController.json(.ok, ["status": "ok"])
        }
        router.get("health/ready") { _, _ in try await ready() }
        router.get("openapi.json") { _, _ in
            guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
                let data = try? Data(contentsOf: url)
            else { throw Problem("internal", status: .internalServerError, detail: "the OpenAPI document is missing") }
            return Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: data))
            )
        }
    }

    /// `/metrics`: its per-location figures are business data, so the group it goes on needs the API token.
    func addMetricsRoute(to group: RouterGroup<BasicRequestContext>) {
        group.get { _, _ in
            // Per-location gauges are read from the store at each scrape, so a location shows as soon as it exists.
            if let current = try? await self.router.currentUsage() {
                for (location, usage) in current { metrics.location(location, usage: usage) }
            }
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: metrics.render()))
            )
        }
    }

    func addAdminRoutes(to group: RouterGroup<BasicRequestContext>) {
        group.post("route/preview") { request, _ in
            let input = try await LocationsController.decode(LeadInput.self, request)
            let lead = try input.lead(id: nil, arrivedAt: input.at ?? now())
            let decision = try await self.router.preview(lead)
            return try LeadsController.json(.ok, DecisionResource(decision))
        }
    }

    private struct Readiness: Encodable {
        var status: String
        var database: String
        var routingWorker: String
        var routingJobsPending: Int?
        /// Each further check: "ok" or what is still missing.
        var checks: [String: String]?
    }

    private func ready() async throws -> Response {
        var readiness = Readiness(status: "ok", database: "ok", routingWorker: worker.isRunning ? "running" : "stopped")
        do {
            try await store.ping()
            readiness.routingJobsPending = try await store.pendingJobCount(kind: .route)
            metrics.queueDepth(routing: readiness.routingJobsPending ?? 0)
        } catch {
            readiness.database = "unreachable: \(error)"
        }
        var waiting = false
        if !readinessChecks.isEmpty {
            var checks: [String: String] = [:]
            for check in readinessChecks {
                let missing = await check.check()
                checks[check.name] = missing ?? "ok"
                waiting = waiting || missing != nil
            }
            readiness.checks = checks
        }
        if readiness.database != "ok" || !worker.isRunning || waiting { readiness.status = "unavailable" }
        return try LeadsController.json(readiness.status == "ok" ? .ok : .serviceUnavailable, readiness)
    }
}
