import Crypto
import Foundation
import HTTPTypes
import HighLevel
import HighLevelSandbox
import Hummingbird
import Logging
import NIOFoundationCompat
import ServiceLifecycle
import Testing

@Suite("Sandbox webhooks")
struct SandboxWebhookTests {
    /// Receives webhooks: answers 429 to the first one, then 200, and keeps what it got.
    actor Receiver {
        var received: [(body: Data, signature: String?)] = []
        var refusedOnce = false

        func receive(_ body: Data, signature: String?) -> Bool {
            guard refusedOnce else {
                refusedOnce = true
                return false
            }
            received.append((body, signature))
            return true
        }
    }

    @Test("a new contact sends a signed ContactCreate that the verifier accepts; a 429 is retried")
    func contactCreate() async throws {
        let receiver = Receiver()
        let router = Router()
        router.post("hook") { request, _ -> HTTPResponse.Status in
            let body = try await request.body.collect(upTo: 1 << 20)
            let accepted = await receiver.receive(
                Data(buffer: body),
                signature: request.headers[HTTPField.Name("x-ghl-signature")!]
            )
            return accepted ? .ok : .tooManyRequests
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "receiver")
        logger.logLevel = .warning
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) },
            logger: logger
        )
        let group = ServiceGroup(services: [app], gracefulShutdownSignals: [], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            var configuration = ClientSandboxTests.configuration(snapshotLoadDelay: .zero)
            configuration.webhookURLs = [URL(string: "http://127.0.0.1:\(port)/hook")!]
            try await SandboxServer.withRunning(configuration) { sandbox, baseURL in
                let client = ClientSandboxTests.client(sandbox, baseURL)
                let location = try await client.createSubAccount(NewSubAccount(name: "Gym")).id
                let contact = try await client.upsertContact(
                    ContactDraft(email: "ava@example.com", postalCode: "78701"),
                    locationID: location
                ).contact
                var delivered: [(body: Data, signature: String?)] = []
                for _ in 0..<100 where delivered.isEmpty {
                    try await Task.sleep(for: .milliseconds(50))
                    delivered = await receiver.received
                }
                let webhook = try #require(delivered.first)
                let verifier = WebhookVerifier(
                    configuration: .init(ed25519PublicKey: sandbox.webhooks.signingKey.publicKey)
                )
                let verified = try verifier.verify(
                    body: webhook.body,
                    ghlSignature: webhook.signature,
                    legacySignature: nil,
                    now: Date()
                )
                #expect(verified.type == "ContactCreate")
                #expect(verified.locationID == location)
                #expect(verified.webhookID != nil)
                let object = try #require(try JSONSerialization.jsonObject(with: webhook.body) as? [String: Any])
                #expect(object["id"] as? String == contact.id)
                #expect(object["postalCode"] as? String == "78701")
                #expect(await receiver.refusedOnce)
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}
