import Foundation
import LeadRouting
import Notifications
import Storage
import Testing

@Suite("Lead notifications")
struct LeadNotificationTests {
    private func lead(outcome: RoutingOutcome) -> LeadRecord {
        LeadRecord(
            id: "ld_1",
            channel: "webhook",
            firstName: "Ana",
            lastName: "Diaz",
            lead: Lead(
                postalCode: "78701",
                email: "ana@example.com",
                score: 80,
                arrivedAt: Date(timeIntervalSince1970: 0)
            ),
            status: outcome == .assigned ? .assigned : .review,
            decision: RoutingDecision(
                leadID: "ld_1",
                outcome: outcome,
                locationID: outcome == .assigned ? "atx-downtown" : nil,
                distanceMiles: outcome == .assigned ? 1.2 : nil,
                hotLead: true,
                windows: nil,
                explanation: RoutingExplanation(point: nil, rule: .nearest, notes: [])
            )
        )
    }

    @Test("The standard format is the Standard Webhooks envelope with the lead, its decision and its delivery")
    func standardEnvelope() throws {
        let delivery = DeliveryRecord(
            leadID: "ld_1",
            ghlLocationID: "sub-1",
            state: .deadLettered,
            contactID: "c-9",
            detail: "contact: 422 Unprocessable: bad phone",
            updatedAt: Date(timeIntervalSince1970: 0)
        )
        let notification = LeadNotification(
            event: .deadLettered,
            lead: lead(outcome: .assigned),
            delivery: delivery,
            sentAt: Date(timeIntervalSince1970: 1_700_000_000)
        )
        let json = try #require(
            try JSONSerialization.jsonObject(with: notification.body(in: .standard)) as? [String: Any]
        )
        #expect(json["type"] as? String == "lead.dead_lettered")
        #expect(json["timestamp"] as? String == "2023-11-14T22:13:20Z")
        let data = try #require(json["data"] as? [String: Any])
        #expect(data["leadId"] as? String == "ld_1")
        #expect(data["locationId"] as? String == "atx-downtown")
        #expect(data["distanceMiles"] as? Double == 1.2)
        #expect((data["contact"] as? [String: Any])?["email"] as? String == "ana@example.com")
        let sent = try #require(data["delivery"] as? [String: Any])
        #expect(sent["ghlContactId"] as? String == "c-9")
        #expect(sent["reason"] as? String == "contact: 422 Unprocessable: bad phone")
    }

    @Test("The Slack format is one readable line that says what happened and where")
    func slackText() throws {
        let routed = LeadNotification(event: .routed, lead: lead(outcome: .assigned), delivery: nil, sentAt: Date())
        let body = try #require(try JSONSerialization.jsonObject(with: routed.body(in: .slack)) as? [String: String])
        #expect(body.keys.sorted() == ["text"])
        let text = try #require(body["text"])
        #expect(text.contains("Ana Diaz") && text.contains("78701") && text.contains("routed to atx-downtown"))

        let review = LeadNotification(
            event: .unroutable,
            lead: lead(outcome: .outOfRange),
            delivery: nil,
            sentAt: Date()
        )
        #expect(review.text.contains("could not be routed"))
    }

    @Test("A group needs a usable name, http(s) URLs and at least one event")
    func groupValidation() {
        let url = URL(string: "https://hooks.example.com/a")!
        #expect(throws: EndpointGroup.Problem.self) { try EndpointGroup(name: "ops team", urls: [url]) }
        #expect(throws: EndpointGroup.Problem.self) { try EndpointGroup(name: "ops", urls: []) }
        #expect(throws: EndpointGroup.Problem.self) {
            try EndpointGroup(name: "ops", urls: [URL(string: "ftp://example.com/x")!])
        }
        #expect(throws: EndpointGroup.Problem.self) { try EndpointGroup(name: "ops", urls: [url], events: []) }
        #expect(throws: Never.self) { try EndpointGroup(name: "ops-1", urls: [url], format: .slack) }
    }
}
