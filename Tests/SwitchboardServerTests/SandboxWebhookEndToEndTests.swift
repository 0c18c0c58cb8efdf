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
}
