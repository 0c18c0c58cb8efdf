import AsyncHTTPClient
import Crypto
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

@Suite("End to end with the GHL sandbox")
struct SandboxWebhookEndToEndTests {
    @Test("A contact created in the sandbox arrives as a signed ContactCreate and becomes a routed lead")
    func sandboxContactBecomesRoutedLead() async throws {
        try await SandboxServer.withRunning { sandbox, sandboxURL in
            let intake = try #require(try await sandbox.seed(subAccounts: [("Intake", nil, nil)]).first)
            var service = try await TestService()
            service.configuration.webhookVerification = WebhookVerifier.Configuration(
                ed25519PublicKey: sandbox.webhooks.signingKey.publicKey,
                rsaPublicKey: nil
            )
            // The sandbox stamps webhooks with the real time.
            service.clock.set(Date())
            try await service.test(.live) { client in
                let port = try #require(client.port)
                sandbox.webhooks.setURLs([URL(string: "http://127.0.0.1:\(port)/webhooks/ghl")!])
                var request = HTTPClientRequest(url: "\(sandboxURL)/_sandbox/locations/\(intake)/contacts")
                request.method = .POST
                request.headers.add(name: "Authorization", value: "Bearer \(sandbox.configuration.agencyToken)")
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(
                    ByteBuffer(string: #"{"firstName":"Ana","email":"ana@example.com","postalCode":"78703"}"#)
                )
                let created = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                #expect(created.status.code == 201)

                var lead: [String: Any] = [:]
                for _ in 0..<250 {
                    let page = try await client.api(.get, "/v1/leads?limit=1").json()
                    if let first = (page["leads"] as? [[String: Any]])?.first, first["status"] as? String != "received"
                    {
                        lead = first
                        break
                    }
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(lead["status"] as? String == "assigned")
                #expect(lead["locationId"] as? String == "atx-downtown")
                #expect(lead["ghlOriginLocationId"] as? String == intake)
                #expect(lead["email"] as? String == "ana@example.com")
            }
        }
    }

    @Test("GHL's retry of a lost webhook, the same signed body 10 minutes later, is accepted once; a replay is not")
    func staleRetryAcceptedOnce() async throws {
        try await SandboxServer.withRunning { sandbox, sandboxURL in
            let intake = try #require(try await sandbox.seed(subAccounts: [("Intake", nil, nil)]).first)
            var service = try await TestService()
            service.configuration.webhookVerification = WebhookVerifier.Configuration(
                ed25519PublicKey: sandbox.webhooks.signingKey.publicKey,
                rsaPublicKey: nil
            )
            service.clock.set(Date())
            let clock = service.clock
            let store = service.store
            try await service.test(.live) { client in
                let port = try #require(client.port)
                sandbox.webhooks.setURLs([URL(string: "http://127.0.0.1:\(port)/webhooks/ghl")!])
                // The first delivery is lost (as when it was answered 429 and GHL waits 10 minutes to retry).
                sandbox.webhooks.dropNext(1)
                var request = HTTPClientRequest(url: "\(sandboxURL)/_sandbox/locations/\(intake)/contacts")
                request.method = .POST
                request.headers.add(name: "Authorization", value: "Bearer \(sandbox.configuration.agencyToken)")
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(string: #"{"firstName":"Ana","postalCode":"78703"}"#))
                #expect(try await HTTPClient.shared.execute(request, timeout: .seconds(10)).status.code == 201)
                let sent = try #require(sandbox.webhooks.sent().last)
                #expect(sent.dropped)
                #expect(try await store.leads(matching: LeadQuery()).leads.isEmpty)

                // Ten minutes later GHL sends the same bytes: the timestamp is 600 s old, the id unseen.
                clock.advance(by: 600)
                #expect(await sandbox.webhooks.resend(webhookID: sent.id))
                var leads: [LeadRecord] = []
                for _ in 0..<250 {
                    leads = try await store.leads(matching: LeadQuery()).leads
                    if !leads.isEmpty { break }
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(leads.count == 1)
                #expect(leads.first?.lead.postalCode == "78703")

                // The next retry of the same webhook (another 10 minutes on) is a duplicate: nothing more stored.
                let signature = try sandbox.webhooks.signingKey.signature(for: sent.body).base64EncodedString()
                clock.advance(by: 600)
                #expect(await sandbox.webhooks.resend(webhookID: sent.id))
                let replay = try await client.webhook(sent.body, signature: signature)
                #expect(replay.status == .ok)
                #expect(try replay.json()["status"] as? String == "duplicate")
                #expect(try await store.leads(matching: LeadQuery()).leads.count == 1)

                // Past two hours the signed body is refused (401), id or no id.
                clock.advance(by: 2 * 3600)
                let stale = try await client.webhook(sent.body, signature: signature)
                #expect(stale.status == .unauthorized)
            }
        }
    }
}
