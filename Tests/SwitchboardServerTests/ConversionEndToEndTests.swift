import AsyncHTTPClient
import Crypto
import Delivery
import Foundation
import HTTPTypes
import HighLevel
import HighLevelSandbox
import HummingbirdTesting
import LeadRouting
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Storage
import SwitchboardServer
import SwitchboardTesting
import Testing

@Suite("Following delivered leads to their outcome through GHL's webhooks (sandbox)")
struct ConversionEndToEndTests {
    /// What a test gets: the sandbox and its URL, the service's client, the sub-account ids by location.
    struct Loop: Sendable {
        let sandbox: SandboxServer
        let sandboxURL: URL
        let client: any TestClientProtocol
        let subAccounts: [String: String]

        /// Calls a staff endpoint of the sandbox (agency token).
        @discardableResult
        func staff(_ method: HTTPMethod, _ path: String, _ json: String) async throws -> [String: Any] {
            var request = HTTPClientRequest(url: "\(sandboxURL)/_sandbox/\(path)")
            request.method = method
            request.headers.add(name: "Authorization", value: "Bearer \(sandbox.configuration.agencyToken)")
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1 << 20)
            #expect((200..<300).contains(Int(response.status.code)), "\(path): \(String(buffer: body))")
            return (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
        }

        /// The lead as the API shows it, once `condition` holds (or after 20 s).
        func lead(_ id: String, until condition: ([String: Any]) -> Bool) async throws -> [String: Any] {
            let deadline = ContinuousClock.now + .seconds(20)
            var lead: [String: Any] = [:]
            while ContinuousClock.now < deadline {
                lead = try await client.api(.get, "/v1/leads/\(id)").json()
                if condition(lead) { return lead }
                try await Task.sleep(for: .milliseconds(25))
            }
            return lead
        }

        /// The lead's first attempt, once delivered.
        func deliveredAttempt(_ id: String) async throws -> [String: Any] {
            let lead = try await lead(id) { (($0["attempts"] as? [[String: Any]])?.count ?? 0) > 0 }
            return try #require((lead["attempts"] as? [[String: Any]])?.first, "lead \(id) was not delivered")
        }

        /// Submits a lead through the API. - Returns: its id.
        func submit(postalCode: String, email: String, source: String = "facebook") async throws -> String {
            let response = try await client.api(
                .post,
                "/v1/leads",
                json: #"{"postalCode":"\#(postalCode)","email":"\#(email)","firstName":"Ana","source":"\#(source)"}"#
            )
            return try #require(try response.json()["id"] as? String)
        }

        func funnel(_ query: String = "groupBy=location") async throws -> [String: Any] {
            try await client.api(.get, "/v1/reports/funnel?\(query)").json()
        }
    }

    func withLoop(_ body: @Sendable (Loop) async throws -> Void) async throws {
        var configuration = SandboxServer.Configuration(port: 0, snapshotLoadDelay: .zero)
        configuration.workflowMessageDelay = .milliseconds(50)
        try await SandboxServer.withRunning(configuration) { sandbox, url in
            let ids = try await sandbox.seed(
                subAccounts: [("Austin", "78701", "America/Chicago"), ("Dallas", "75201", "America/Chicago")],
                snapshotID: SandboxSnapshot.franchiseStandard.id
            )
            let subAccounts = ["atx-downtown": ids[0], "dallas-uptown": ids[1]]
            var service = try await TestService(
                locations: [
                    Fixtures.location("atx-downtown", zip: "78701", daily: 100),
                    Fixtures.location("dallas-uptown", zip: "75201", daily: 100),
                ],
                ghlLocationIDs: subAccounts
            )
            service.clock.set(Date())
            service.clock.run()
            service.configuration.webhookVerification = WebhookVerifier.Configuration(
                ed25519PublicKey: sandbox.webhooks.signingKey.publicKey,
                rsaPublicKey: nil
            )
            service.delivery = DeliverySetup(
                client: HighLevelClient(
                    configuration: .init(
                        baseURL: url,
                        companyID: sandbox.configuration.companyID,
                        credentials: .privateIntegration(token: sandbox.configuration.agencyToken)
                    )
                ),
                configuration: DeliveryConfiguration(
                    pipelineName: "Memberships",
                    workflowName: "New lead nurture",
                    pollInterval: .milliseconds(50)
                )
            )
            try await service.test(.live) { client in
                let port = try #require(client.port)
                sandbox.webhooks.setURLs([URL(string: "http://127.0.0.1:\(port)/webhooks/ghl")!])
                try await body(Loop(sandbox: sandbox, sandboxURL: url, client: client, subAccounts: subAccounts))
            }
        }
    }

    /// Staff work a lead from first call to a won membership. - Returns: the lead as the API shows it after.
    static func workToWon(
        _ lead: String,
        in loop: Loop,
        location: String = "atx-downtown"
    ) async throws
        -> [String: Any]
    {
        let attempt = try await loop.deliveredAttempt(lead)
        let contact = try #require(attempt["contactId"] as? String)
        let sub = try #require(loop.subAccounts[location])
        // The workflow's automated SMS comes first: it must not count.
        _ = try await loop.lead(lead) { lead in
            (lead["timeline"] as? [[String: Any]])?.contains { $0["kind"] as? String == "automated" } == true
        }
        try await loop.staff(
            .POST,
            "locations/\(sub)/contacts/\(contact)/messages",
            #"{"direction":"outbound","messageType":"CALL","userId":"coach-1","callStatus":"completed","callDuration":140}"#
        )
        let booked = try await loop.staff(
            .POST,
            "locations/\(sub)/contacts/\(contact)/appointments",
            #"{"status":"confirmed"}"#
        )
        let appointment = try #require(booked["appointmentId"] as? String)
        try await loop.staff(.PUT, "locations/\(sub)/appointments/\(appointment)", #"{"status":"showed"}"#)
        let delivered = try await loop.lead(lead) { ($0["delivery"] as? [String: Any])?["opportunityId"] != nil }
        let opportunity = try #require((delivered["delivery"] as? [String: Any])?["opportunityId"] as? String)
        try await loop.staff(
            .PUT,
            "locations/\(sub)/opportunities/\(opportunity)",
            #"{"status":"won","monetaryValue":499,"stageName":"Joined"}"#
        )
        // Webhooks may come out of order: wait for every mark.
        return try await loop.lead(lead) { lead in
            let marks = (lead["attempts"] as? [[String: Any]])?.first?["funnel"] as? [String: Any] ?? [:]
            return ["attempted", "contacted", "booked", "showed", "won"].allSatisfy { marks[$0] as? Bool == true }
        }
    }

    @Test("A lead is followed from delivery to won: the automated SMS does not count, the coach's call does")
    func deliveredToWon() async throws {
        try await withLoop { loop in
            let id = try await loop.submit(postalCode: "78703", email: "ana@example.com")
            let lead = try await Self.workToWon(id, in: loop)
            let attempt = try #require((lead["attempts"] as? [[String: Any]])?.first)
            #expect(attempt["locationId"] as? String == "atx-downtown")
            #expect(attempt["reason"] as? String == "initial")
            let marks = try #require(attempt["funnel"] as? [String: Any])
            for mark in ["attempted", "contacted", "booked", "showed", "won"] {
                #expect(marks[mark] as? Bool == true, "\(mark)")
            }
            #expect(marks["revenue"] as? Double == 499)
            #expect(attempt["speedToLeadSeconds"] as? Double != nil)
            let kinds = (lead["timeline"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
            #expect(kinds.first == "automated")
            #expect(Set(kinds).isSuperset(of: ["automated", "touch", "appointment", "opportunity"]))
            // The redundant OpportunityUpdate beside each specific event adds no line of its own.
            let won = (lead["timeline"] as? [[String: Any]] ?? []).filter {
                ($0["text"] as? String)?.contains("status won") == true
            }
            #expect(won.count == 1)

            let funnel = try await loop.funnel()
            let row = try #require(
                (funnel["rows"] as? [[String: Any]])?.first { $0["key"] as? String == "atx-downtown" }
            )
            #expect(row["delivered"] as? Int == 1)
            #expect(row["attempted"] as? Int == 1)
            #expect(row["won"] as? Int == 1)
            #expect(row["revenue"] as? Double == 499)
            #expect((row["speedToLead"] as? [String: Any])?["n"] as? Int == 1)
            let bySource = try await loop.funnel("groupBy=source")
            #expect((bySource["rows"] as? [[String: Any]])?.first?["key"] as? String == "facebook")
            #expect((bySource["total"] as? [String: Any])?["won"] as? Int == 1)

            let csv = try await loop.client.execute(
                uri: "/v1/reports/funnel?groupBy=location",
                method: .get,
                headers: [.authorization: "Bearer \(TestService.token)", .accept: "text/csv"],
                body: nil
            )
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            let lines = csv.text.split(separator: "\r\n")
            #expect(lines.first?.hasPrefix("location,delivered,attempted") == true)
            #expect(lines.contains { $0.hasPrefix("atx-downtown,1,1,1,1,1,1,0,0,499.0,") })
        }
    }

    @Test("Duplicated and reordered webhooks give the same funnel as clean ones")
    func duplicatesAndReorderingChangeNothing() async throws {
        try await withLoop { loop in
            let clean = try await loop.submit(postalCode: "78703", email: "clean@example.com")
            _ = try await Self.workToWon(clean, in: loop)
            let cleanRow = try await loop.funnel()

            let messy = try await loop.submit(postalCode: "75201", email: "messy@example.com")
            _ = try await loop.deliveredAttempt(messy)
            _ = try await loop.lead(messy) { lead in
                (lead["timeline"] as? [[String: Any]])?.contains { $0["kind"] as? String == "automated" } == true
            }
            loop.sandbox.webhooks.duplicateNext(20)
            loop.sandbox.webhooks.reorderNext(4)
            let worked = try await Self.workToWon(messy, in: loop, location: "dallas-uptown")
            // Every webhook came twice: each event is still one line of the timeline.
            let kinds = (worked["timeline"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
            #expect(kinds.filter { $0 == "touch" }.count == 1)
            #expect(kinds.filter { $0 == "appointment" }.count == 2)
            let funnel = try await loop.funnel()
            let rows = try #require(funnel["rows"] as? [[String: Any]])
            let atx = try #require(rows.first { $0["key"] as? String == "atx-downtown" })
            let dallas = try #require(rows.first { $0["key"] as? String == "dallas-uptown" })
            for field in ["delivered", "attempted", "contacted", "booked", "showed", "won", "lost", "revenue"] {
                #expect("\(atx[field] ?? "")" == "\(dallas[field] ?? "")", "\(field)")
            }
            #expect(((cleanRow["rows"] as? [[String: Any]])?.first?["won"] as? Int) == 1)
        }
    }
}
