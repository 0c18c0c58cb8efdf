import Foundation
import Hummingbird
import NIOCore
import Storage

/// `GET /v1/reports/funnel?groupBy=location|source&since=&until=`: the funnel from the kept aggregates (never a
/// scan of the leads); `Accept: text/csv` gives CSV.
struct ReportsController: Sendable {
    let store: any SwitchboardStore

    func addRoutes(to group: RouterGroup<BasicRequestContext>) {
        group.get("reports/funnel") { request, _ in try await funnel(request) }
    }

    private func funnel(_ request: Request) async throws -> Response {
        let parameters = request.uri.queryParameters
        let groupBy = parameters.get("groupBy") ?? "location"
        guard let grouping = FunnelGrouping(rawValue: groupBy) else {
            throw Problem.invalidField("groupBy", "'\(groupBy)' is not location or source")
        }
        let since = try LeadsController.date(parameters.get("since"), field: "since")
        let until = try LeadsController.date(parameters.get("until"), field: "until")
        if let since, let until, until <= since {
            // Each time is well formed; together they name no window (422, like other input that cannot be done).
            throw Problem(
                "empty-window",
                status: .unprocessableContent,
                detail: "until (\(until.formatted(.iso8601))) must be after since (\(since.formatted(.iso8601)))",
                field: "until"
            )
        }
        let report = FunnelResource(
            grouping: grouping,
            since: since,
            until: until,
            rows: try await store.funnel(by: grouping, since: since, until: until)
        )
        if request.headers[.accept]?.contains("text/csv") == true {
            return Response(
                status: .ok,
                headers: [.contentType: "text/csv; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: report.csv))
            )
        }
        return try LeadsController.json(.ok, report)
    }
}
