import Foundation
import HTTPTypes
import HummingbirdTesting
import LeadRouting
import NIOCore
import NIOFoundationCompat
import SwitchboardServer
import SwitchboardTesting
import Testing

/// Every kind of answer the API gives, recorded and checked against the OpenAPI document it serves by
/// `Tools/validate-switchboard-api.py`.
@Suite("Conformance with Switchboard's OpenAPI document")
struct APIConformanceTests {
    static let root = URL(filePath: #filePath).deletingLastPathComponent().appending(path: "../..").standardized

    static var validatorAvailable: Bool {
        run(["python3", "-c", "import openapi_schema_validator"]).status == 0
    }

    /// Recorded exchanges.
    actor Recorder {
        var records: [[String: Any]] = []
        func add(_ method: HTTPRequest.Method, _ path: String, _ response: TestResponse) {
            records.append([
                "method": method.rawValue, "path": path, "status": response.status.code,
                "contentType": response.headers[.contentType] ?? "", "body": response.text,
            ])
        }
        func json() throws -> Data { try JSONSerialization.data(withJSONObject: records) }
    }

    @Test(
        "every response of every operation matches the document",
        .enabled(
            if: validatorAvailable || ProcessInfo.processInfo.environment["CI"] != nil,
            "needs python3 with openapi-schema-validator (.ci/run installs it)"
        )
    )
    func responsesConform() async throws {
        let service = try await TestService(locations: [
            Fixtures.location("atx-downtown", zip: "78701", daily: 1),
            Fixtures.location("dallas-uptown", zip: "75201", daily: 5),
        ])
        let recorder = Recorder()
        try await service.test { client in
            @Sendable func call(
                _ method: HTTPRequest.Method,
                _ path: String,
                _ json: String? = nil,
                headers: HTTPFields = [:]
            ) async throws -> TestResponse {
                let response = try await client.api(method, path, json: json, headers: headers)
                await recorder.add(method, path, response)
                return response
            }
            let first = try await call(
                .post,
                "/v1/leads",
                #"{"postalCode":"78703","email":"a@example.com","score":90}"#
            )
            let id = try #require(try first.json()["id"] as? String)
            let second = try await call(.post, "/v1/leads", #"{"postalCode":"78704"}"#)
            let waiting = try #require(try second.json()["id"] as? String)
            _ = try await call(.post, "/v1/leads", #"{"postalCode":"ABCDE"}"#)
            _ = try await call(.post, "/v1/leads", #"{"latitude":30.3,"longitude":-97.7}"#)
            _ = try await call(.post, "/v1/leads", #"{"score":"x"}"#)
            _ = try await call(.post, "/v1/leads", "x=1", headers: [.contentType: "text/plain"])
            _ = try await call(.post, "/v1/leads", #"{"postalCode":"78703"}"#, headers: [.authorization: "Bearer no"])
            _ = try await call(
                .post,
                "/v1/leads",
                #"{"source":""# + String(repeating: "x", count: 1_100_000) + #""}"#
            )
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "k"]
            _ = try await call(.post, "/v1/leads", #"{"postalCode":"78703"}"#, headers: key)
            _ = try await call(.post, "/v1/leads", #"{"postalCode":"78705"}"#, headers: key)
            try await client.routingSettled()
            _ = try await call(.get, "/v1/leads/\(id)")
            _ = try await call(.get, "/v1/leads/\(waiting)")
            _ = try await call(.get, "/v1/leads/nope")
            _ = try await call(.get, "/v1/leads?limit=2")
            _ = try await call(.get, "/v1/leads?status=review&outcome=noCapacity")
            _ = try await call(.get, "/v1/leads?limit=9999")
            _ = try await call(.post, "/v1/leads/\(waiting)/assign", #"{"locationId":"atx-downtown"}"#)
            _ = try await call(.post, "/v1/leads/\(waiting)/assign", #"{"locationId":"dallas-uptown","note":"x"}"#)
            _ = try await call(.post, "/v1/leads/\(waiting)/assign", #"{}"#)
            _ = try await call(.post, "/v1/leads/\(waiting)/release")
            _ = try await call(.post, "/v1/leads/nope/release")
            _ = try await call(.get, "/v1/locations")
            _ = try await call(.get, "/v1/locations/atx-downtown")
            _ = try await call(.get, "/v1/locations/nope")
            _ = try await call(
                .post,
                "/v1/locations",
                #"{"id":"fw","name":"Fort Worth","postalCode":"76102","hours":"24h"}"#
            )
            _ = try await call(.post, "/v1/locations", #"{"id":"fw","name":"Fort Worth","postalCode":"76102"}"#)
            _ = try await call(.post, "/v1/locations", #"{"id":"zz","name":"Z","postalCode":"00001"}"#)
            _ = try await call(.put, "/v1/locations/fw", #"{"name":"Fort Worth","latitude":32.75,"longitude":-97.33}"#)
            _ = try await call(.patch, "/v1/locations/fw", #"{"status":"paused","territory":["76102"]}"#)
            _ = try await call(.patch, "/v1/locations/fw", #"{"timezone":"Mars/Olympus"}"#)
            _ = try await call(
                .put,
                "/v1/locations",
                #"{"locations":[{"id":"fw","name":"Fort Worth","postalCode":"76102"}]}"#
            )
            _ = try await call(.get, "/v1/capacity")
            _ = try await call(.post, "/v1/route/preview", #"{"postalCode":"75204","at":"2026-11-30T18:00:00Z"}"#)
            _ = try await call(.post, "/v1/route/preview", #"{"postalCode":"99501"}"#)
            _ = try await call(.get, "/health/live")
            _ = try await call(.get, "/health/ready")
            _ = try await call(.get, "/metrics")
            _ = try await call(.get, "/openapi.json")
            _ = try await call(.get, "/v1/deliveries/dead-letters")
            _ = try await call(.get, "/v1/deliveries/dead-letters?limit=0")
            _ = try await call(.post, "/v1/deliveries/replay", #"{"since":"2026-01-01T00:00:00Z"}"#)
            _ = try await call(.post, "/v1/deliveries/replay", #"{}"#)
            _ = try await call(.get, "/v1/reports/funnel")
            _ = try await call(.get, "/v1/reports/funnel?groupBy=source&since=2026-11-01T00:00:00Z")
            _ = try await call(.get, "/v1/reports/funnel?groupBy=month")
            _ = try await call(
                .get,
                "/v1/reports/funnel?since=2026-11-02T00:00:00Z&until=2026-11-01T00:00:00Z"
            )
            _ = try await call(.get, "/v1/reports/funnel", headers: [.accept: "text/csv"])
            let (body, signature) = try service.contactCreate(postalCode: "78703", webhookID: "w-1")
            for signatureValue in [signature, signature, "bad"] {
                var fields: HTTPFields = [.contentType: "application/json"]
                fields[HTTPField.Name("x-ghl-signature")!] = signatureValue
                let response = try await client.execute(
                    uri: "/webhooks/ghl",
                    method: .post,
                    headers: fields,
                    body: ByteBuffer(data: body)
                )
                await recorder.add(.post, "/webhooks/ghl", response)
            }
            let (other, otherSignature) = try service.contactCreate(postalCode: nil, type: "ContactDelete")
            await recorder.add(.post, "/webhooks/ghl", try await client.webhook(other, signature: otherSignature))
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("api-\(UUID().uuidString).json")
        try await recorder.json().write(to: file)
        let script = Self.root.appending(path: "Tools/validate-switchboard-api.py").path()
        let result = Self.run(["python3", script, file.path()])
        #expect(result.status == 0, "\(result.output)")
    }

    static func run(_ arguments: [String]) -> (status: Int32, output: String) {
        ProcessRunner.run(arguments)
    }
}
