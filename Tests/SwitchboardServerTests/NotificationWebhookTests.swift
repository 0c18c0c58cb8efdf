import Crypto
import Delivery
import Foundation
import HTTPTypes
import HummingbirdTesting
import LeadRouting
import Notifications
import Storage
import SwitchboardServer
import SwitchboardTesting
import Testing

@Suite("Notification webhooks")
struct NotificationWebhookTests {
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

    /// A quick ladder, so a retry is seconds away, not minutes.
    static let quickSchedule = RetrySchedule(
        delays: [.milliseconds(50), .milliseconds(100), .milliseconds(200), .milliseconds(400), .seconds(1)],
        jitter: 0.1
    )

    /// Runs a service (clock running in real time) announcing to `groups`.
    private func withService(
        groups: [EndpointGroup],
        schedule: RetrySchedule = quickSchedule,
        _ body: @Sendable (TestService, any TestClientProtocol) async throws -> Void
    ) async throws {
        var service = try await TestService(locations: [Fixtures.location("atx-downtown", zip: "78701", daily: 100)])
        service.clock.set(Date())
        service.clock.run()
        service.notifications = NotificationSettings(
            groups: groups,
            schedule: schedule,
            pollInterval: .milliseconds(50)
        )
        let ready = service
        try await ready.test { client in try await body(ready, client) }
    }

    private func submit(_ postalCode: String, _ client: any TestClientProtocol) async throws -> String {
        let response = try await client.api(.post, "/v1/leads", json: #"{"postalCode":"\#(postalCode)"}"#)
        return try #require(try response.json()["id"] as? String)
    }

    /// Checks a request's Standard Webhooks headers with an HMAC computed here, independently of the sender.
    private func verify(_ request: WebhookReceiver.Received) throws {
        let id = try #require(request.headers[HTTPField.Name("webhook-id")!])
        let timestamp = try #require(request.headers[HTTPField.Name("webhook-timestamp")!])
        let signature = try #require(request.headers[HTTPField.Name("webhook-signature")!])
        let key = SymmetricKey(data: try #require(Data(base64Encoded: String(Self.secret.dropFirst(6)))))
        let expected = HMAC<SHA256>.authenticationCode(
            for: Data("\(id).\(timestamp).".utf8) + request.body,
            using: key
        )
        #expect(signature == "v1," + Data(expected).base64EncodedString())
        #expect(abs((Double(timestamp) ?? 0) - Date().timeIntervalSince1970) < 60)
        #expect(request.headers[.contentType] == "application/json")
    }

    @Test("Routed and unroutable leads are announced to every group that listens, signed the Standard Webhooks way")
    func routedAndUnroutable() async throws {
        try await WebhookReceiver.withRunning { receiver in
            let crm = try EndpointGroup(name: "crm", urls: [receiver.url("crm")], secret: Self.secret)
            let ops = try EndpointGroup(name: "ops", urls: [receiver.url("ops")], format: .slack, events: [.unroutable])
            try await withService(groups: [crm, ops]) { _, client in
                let routed = try await submit("78701", client)
                let stranded = try await submit("99501", client)  // Anchorage: far out of range
                let all = try await receiver.wait { $0.count >= 3 }
                #expect(all.count == 3)

                let toCRM = all.filter { $0.name == "crm" }
                #expect(toCRM.count == 2)
                for request in toCRM { try verify(request) }
                let types = Dictionary(
                    toCRM.map { request in
                        (
                            (request.json["data"] as? [String: Any])?["leadId"] as? String ?? "",
                            request.json["type"] as? String ?? ""
                        )
                    },
                    uniquingKeysWith: { first, _ in first }
                )
                #expect(types == [routed: "lead.routed", stranded: "lead.unroutable"])

                let toOps = all.filter { $0.name == "ops" }
                #expect(toOps.count == 1)
                let text = try #require(toOps.first?.json["text"] as? String)
                #expect(text.contains(stranded) && text.contains("could not be routed"))
                // No secret: no signature, but still an id and a timestamp.
                #expect(toOps.first?.headers[HTTPField.Name("webhook-signature")!] == nil)
                #expect(toOps.first?.headers[HTTPField.Name("webhook-id")!] != nil)
            }
        }
    }

    @Test("A failing URL (500, or nothing listening) passes the event to the next; events rotate over the URLs")
    func failoverAndRotation() async throws {
        try await WebhookReceiver.withRunning { receiver in
            receiver.answer("broken", with: .internalServerError)
            let nobody = URL(string: "http://127.0.0.1:1/hook")!
            let group = try EndpointGroup(
                name: "crm",
                urls: [receiver.url("broken"), nobody, receiver.url("healthy")],
                timeout: .seconds(2)
            )
            try await withService(groups: [group]) { service, client in
                var leads: [String] = []
                for _ in 0..<3 {
                    leads.append(try await submit("78701", client))
                    // One at a time, so each event takes the next starting URL in turn.
                    _ = try await receiver.wait { $0.filter { $0.name == "healthy" }.count == leads.count }
                }
                let healthy = receiver.received.filter { $0.name == "healthy" }
                #expect(healthy.count == 3)
                #expect(Set(healthy.compactMap { $0.headers[HTTPField.Name("webhook-id")!] }).count == 3)
                // Only the event that started at the first URL tried it; the others began further along.
                #expect(receiver.received.filter { $0.name == "broken" }.count == 1)
                // Each event, once taken, is settled (the answer arrives just before the commit).
                let deadline = ContinuousClock.now + .seconds(10)
                while try await service.store.pendingJobCount(kind: .notify) > 0, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(try await service.store.pendingJobCount(kind: .notify) == 0)
            }
        }
    }

    @Test("When every URL fails the event goes back to the queue and is sent once one recovers; nothing is lost")
    func allDownThenRecovered() async throws {
        try await WebhookReceiver.withRunning { receiver in
            receiver.answer("a", with: .serviceUnavailable)
            receiver.answer("b", with: .badGateway)
            let group = try EndpointGroup(name: "crm", urls: [receiver.url("a"), receiver.url("b")])
            try await withService(groups: [group]) { service, client in
                let lead = try await submit("78701", client)
                // Two rounds over both URLs.
                let failed = try await receiver.wait { $0.count >= 4 }
                #expect(failed.count >= 4)
                #expect(Set(failed.compactMap { $0.headers[HTTPField.Name("webhook-id")!] }).count == 1)
                let jobs = try await service.store.jobs(ofLead: lead).filter { $0.kind == .notify }
                #expect(jobs.count == 1)
                #expect(jobs.first?.status == .queued)
                #expect(jobs.first?.lastError?.contains("HTTP 503") == true)
                #expect(jobs.first?.lastError?.contains("HTTP 502") == true)

                receiver.answer("b", with: .noContent)
                _ = try await receiver.wait { $0.contains { $0.name == "b" && receiver.accepted("b").count > 0 } }
                let deadline = ContinuousClock.now + .seconds(10)
                while try await service.store.pendingJobCount(kind: .notify) > 0, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                }
                let done = try await service.store.jobs(ofLead: lead).filter { $0.kind == .notify }
                #expect(done.map(\.status) == [.done])
                #expect(receiver.accepted("b").count >= 1)
            }
        }
    }

    @Test("An event whose every retry failed is kept as a dead letter with the reason")
    func retriesUsedUp() async throws {
        try await WebhookReceiver.withRunning { receiver in
            receiver.answer("down", with: .notFound)
            let group = try EndpointGroup(name: "crm", urls: [receiver.url("down")])
            let short = RetrySchedule(delays: [.milliseconds(20), .milliseconds(20)], jitter: 0)
            try await withService(groups: [group], schedule: short) { service, client in
                _ = try await submit("78701", client)
                let deadline = ContinuousClock.now + .seconds(10)
                var letters: [Job] = []
                while letters.isEmpty, ContinuousClock.now < deadline {
                    letters = try await service.store.deadLetters(kind: .notify, since: nil, limit: 10)
                    try await Task.sleep(for: .milliseconds(20))
                }
                let letter = try #require(letters.first)
                #expect(letter.lastError?.contains("gave up after") == true)
                #expect(letter.lastError?.contains("HTTP 404") == true)
                #expect(receiver.received.count == short.maximumAttempts)
            }
        }
    }
}
