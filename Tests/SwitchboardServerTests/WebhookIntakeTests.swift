import Foundation
import HTTPTypes
import HummingbirdTesting
import LeadRouting
import Storage
import SwitchboardServer
import SwitchboardTesting
import Testing

@Suite("Webhook intake")
struct WebhookIntakeTests {
    @Test("A signed ContactCreate becomes a stored lead, routed with an explanation")
    func signedContactCreateIsRouted() async throws {
        let service = try await TestService()
        let (body, signature) = try service.contactCreate(postalCode: "78703", email: "ana@example.com")
        try await service.test { client in
            let response = try await client.webhook(body, signature: signature)
            #expect(response.status == .ok)
            let id = try #require(try response.json()["leadId"] as? String)
            let lead = try await client.routedLead(id)
            #expect(lead["status"] as? String == "assigned")
            #expect(lead["locationId"] as? String == "atx-downtown")
            #expect(lead["channel"] as? String == "webhook")
            #expect(lead["ghlOriginLocationId"] as? String == "intake-location")
            let decision = try #require(lead["decision"] as? [String: Any])
            #expect((decision["summary"] as? String)?.contains("atx-downtown") == true)
            let explanation = try #require(decision["explanation"] as? [String: Any])
            #expect((explanation["candidates"] as? [Any])?.isEmpty == false)
        }
    }

    @Test(
        "Tampered, unsigned, stale and wrongly keyed webhooks are rejected with problem+json and store nothing",
        arguments: ["tampered", "unsigned", "stale", "garbage signature"]
    )
    func rejectedWebhooksStoreNothing(kind: String) async throws {
        let service = try await TestService()
        var (body, signature) = try service.contactCreate(
            postalCode: "78703",
            timestamp: kind == "stale" ? service.clock.now.addingTimeInterval(-7201) : nil
        )
        var header: String? = signature
        switch kind {
        case "tampered":
            body = Data(String(decoding: body, as: UTF8.self).replacingOccurrences(of: "78703", with: "78704").utf8)
        case "unsigned": header = nil
        case "garbage signature": header = "bm90IGEgc2lnbmF0dXJl"
        default: break
        }
        let finalBody = body
        let finalHeader = header
        try await service.test { client in
            let response = try await client.webhook(finalBody, signature: finalHeader)
            #expect(response.status == .unauthorized)
            #expect(response.headers[.contentType] == "application/problem+json")
            #expect(try response.json()["type"] as? String == "urn:switchboard:problem:webhook-rejected")
        }
        #expect(try await service.store.leads(matching: LeadQuery()).leads.isEmpty)
    }

    @Test("A replayed webhook (same webhookId) is answered 200 with the existing lead and stores nothing more")
    func replayedWebhookIsAcknowledged() async throws {
        let service = try await TestService()
        let (body, signature) = try service.contactCreate(postalCode: "78703", webhookID: "wh-1")
        try await service.test { client in
            let first = try await client.webhook(body, signature: signature)
            #expect(first.status == .ok)
            let again = try await client.webhook(body, signature: signature)
            #expect(again.status == .ok)
            #expect(try again.json()["status"] as? String == "duplicate")
            #expect(try again.json()["leadId"] as? String == (try first.json()["leadId"] as? String))
        }
        #expect(try await service.store.leads(matching: LeadQuery()).leads.count == 1)
    }

    @Test("A signed body without webhookId is de-duplicated by its bytes: the same body twice is one lead")
    func bodiesWithoutIDAreDeduplicatedByHash() async throws {
        let service = try await TestService()
        let (body, signature) = try service.contactCreate(postalCode: "78703", webhookID: nil)
        let (other, otherSignature) = try service.contactCreate(
            postalCode: "78703",
            webhookID: nil,
            email: "someone-else@example.com"
        )
        try await service.test { client in
            let first = try await client.webhook(body, signature: signature)
            let again = try await client.webhook(body, signature: signature)
            #expect(try again.json()["status"] as? String == "duplicate")
            #expect(try again.json()["leadId"] as? String == (try first.json()["leadId"] as? String))
            let third = try await client.webhook(other, signature: otherSignature)
            #expect(try third.json()["status"] as? String == "received")
        }
        #expect(try await service.store.leads(matching: LeadQuery()).leads.count == 2)
    }

    @Test(
        "A correctly signed body that is not a readable webhook is a 400 that says what is wrong, not a 401",
        arguments: [#"[1,2,3]"#, "not json at all", #"{"type":"ContactCreate","postalCode":"78703"}"#]
    )
    func signedButUnreadable(body text: String) async throws {
        let service = try await TestService()
        let body = Data(text.utf8)
        let signature = try service.sign(body)
        try await service.test { client in
            let response = try await client.webhook(body, signature: signature)
            #expect(response.status == .badRequest)
            #expect(response.headers[.contentType] == "application/problem+json")
            let problem = try response.json()
            #expect(problem["type"] as? String == "urn:switchboard:problem:webhook-malformed")
            #expect((problem["detail"] as? String)?.contains("signature") == false)
        }
        #expect(try await service.store.leads(matching: LeadQuery()).leads.isEmpty)
    }

    @Test("A signed lead with a badly typed field is kept for review with its raw body and the field named")
    func badlyTypedFieldIsKeptForReview() async throws {
        let service = try await TestService()
        let (body, signature) = try service.contactCreate(
            postalCode: nil,
            email: "numeric-zip@example.com",
            extra: ["postalCode": 2134]
        )
        try await service.test { client in
            let response = try await client.webhook(body, signature: signature)
            #expect(response.status == .ok)
            #expect(try response.json()["status"] as? String == "review")
            let id = try #require(try response.json()["leadId"] as? String)
            let lead = try await client.api(.get, "/v1/leads/\(id)").json()
            #expect(lead["status"] as? String == "review")
            #expect(lead["email"] as? String == "numeric-zip@example.com")
            let problem = try #require(lead["intakeProblem"] as? [String: Any])
            #expect(problem["field"] as? String == "postalCode")
            #expect((problem["detail"] as? String)?.contains("a number") == true)
            #expect((problem["rawBody"] as? String) == String(decoding: body, as: UTF8.self))
            let queue = try await client.api(.get, "/v1/leads?status=review").json()
            #expect((queue["leads"] as? [[String: Any]])?.contains { $0["id"] as? String == id } == true)
        }
        // Kept, not routed: no routing job was queued for it.
        let stored = try await service.store.leads(matching: LeadQuery()).leads
        #expect(stored.count == 1)
        #expect(try await service.store.pendingJobCount(kind: .route) == 0)
    }

    @Test("Other events are acknowledged and ignored")
    func otherEventsAreIgnored() async throws {
        let service = try await TestService()
        let (body, signature) = try service.contactCreate(postalCode: "78703", type: "ContactDelete")
        try await service.test { client in
            let response = try await client.webhook(body, signature: signature)
            #expect(response.status == .ok)
            #expect(try response.json()["status"] as? String == "ignored")
        }
        #expect(try await service.store.leads(matching: LeadQuery()).leads.isEmpty)
    }

    @Test("INSTALL and UNINSTALL say whether the app is installed in a location's sub-account; the latest counts")
    func appInstallations() async throws {
        let service = try await TestService(ghlLocationIDs: ["atx-downtown": "ghl-atx"])
        @Sendable func signed(_ type: String, minutesAgo: Double) throws -> (body: Data, signature: String) {
            let body = try JSONSerialization.data(
                withJSONObject: [
                    "type": type, "appId": "app-1", "companyId": "agency", "locationId": "ghl-atx",
                    "webhookId": "\(type)-\(minutesAgo)",
                    "timestamp": service.clock.now.addingTimeInterval(-minutesAgo * 60).formatted(.iso8601),
                ],
                options: [.sortedKeys]
            )
            return (body, try service.sign(body))
        }
        try await service.test { client in
            func app() async throws -> [String: Any]? {
                try await client.api(.get, "/v1/locations/atx-downtown").json()["ghlApp"] as? [String: Any]
            }
            #expect(try await app() == nil)
            let install = try signed("INSTALL", minutesAgo: 10)
            let response = try await client.webhook(install.body, signature: install.signature)
            #expect(response.status == .ok)
            #expect(try response.json()["status"] as? String == "installed")
            #expect(try await app()?["installed"] as? Bool == true)
            let uninstall = try signed("UNINSTALL", minutesAgo: 5)
            #expect(try await client.webhook(uninstall.body, signature: uninstall.signature).status == .ok)
            // An older INSTALL arriving late (GHL retries) does not undo the later UNINSTALL.
            let late = try signed("INSTALL", minutesAgo: 8)
            #expect(try await client.webhook(late.body, signature: late.signature).status == .ok)
            #expect(try await app()?["installed"] as? Bool == false)
            let list = try await client.api(.get, "/v1/locations").json()["locations"] as? [[String: Any]]
            #expect((list?.first?["ghlApp"] as? [String: Any])?["installed"] as? Bool == false)
        }
        #expect(try await service.store.appInstallations()["ghl-atx"]?.installed == false)
    }

    @Test("The postal code may come from a configured custom field")
    func postalCodeFromCustomField() async throws {
        var service = try await TestService()
        service.configuration.postalCodeCustomFieldID = "zipField"
        let (body, signature) = try service.contactCreate(
            postalCode: nil,
            extra: ["customFields": [["id": "other", "value": "x"], ["id": "zipField", "value": "78703"]]]
        )
        try await service.test { client in
            let response = try await client.webhook(body, signature: signature)
            let id = try #require(try response.json()["leadId"] as? String)
            let lead = try await client.routedLead(id)
            #expect(lead["postalCode"] as? String == "78703")
            #expect(lead["outcome"] as? String == "assigned")
        }
    }
}
