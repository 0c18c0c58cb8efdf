import AsyncHTTPClient
public import Crypto
public import Foundation
public import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Synchronization

/// Sends GHL-style webhooks (`ContactCreate`, `ContactUpdate`) to the configured URLs, signed like GHL's
/// `x-ghl-signature`: Ed25519 over the raw body, base64. As GHL does, a delivery is retried only when the receiver
/// answers 429, up to 6 tries in all.
public struct SandboxWebhooks: Sendable {
    /// The key the sandbox signs with; give its public half to the receiver's verifier.
    public let signingKey: Curve25519.Signing.PrivateKey
    private let targets: Targets
    /// Where webhooks go.
    public var urls: [URL] { targets.urls.withLock { $0 } }

    /// The receivers, changeable once the receiver knows its port.
    private final class Targets: Sendable {
        let urls: Mutex<[URL]>
        init(_ urls: [URL]) { self.urls = Mutex(urls) }
    }
    private let logger: Logger
    private let now: @Sendable () -> Date
    /// The first retry waits this long; each further one doubles it.
    private let retryDelay: Duration

    public init(
        urls: [URL],
        signingKey: Curve25519.Signing.PrivateKey = Curve25519.Signing.PrivateKey(),
        retryDelay: Duration = .seconds(1),
        logger: Logger = Logger(label: "switchboard.sandbox.webhooks"),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.targets = Targets(urls)
        self.signingKey = signingKey
        self.retryDelay = retryDelay
        self.logger = logger
        self.now = now
    }

    /// The public key as base64 (raw 32 bytes), as receivers configure it.
    public var publicKeyBase64: String { signingKey.publicKey.rawRepresentation.base64EncodedString() }

    /// Sends webhooks to these URLs from now on (e.g. once the receiver has bound its port).
    public func setURLs(_ urls: [URL]) {
        targets.urls.withLock { $0 = urls }
    }

    /// Sends a contact event to every URL, in the background.
    func contactEvent(_ type: String, _ contact: SandboxLocation.Contact, locationID: String) {
        let urls = self.urls
        guard !urls.isEmpty else { return }
        var payload: [String: Any] = [
            "type": type,
            "locationId": locationID,
            "id": contact.id,
            "dateAdded": contact.dateAdded.formatted(.iso8601),
            "tags": contact.tags,
            "timestamp": now().formatted(.iso8601),
            "webhookId": UUID().uuidString,
        ]
        payload["email"] = contact.email
        payload["phone"] = contact.phone
        payload["firstName"] = contact.firstName
        payload["lastName"] = contact.lastName
        payload["postalCode"] = contact.postalCode
        payload["source"] = contact.source
        guard let body = try? JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys]) else { return }
        for url in urls {
            Task { await deliver(body, to: url) }
        }
    }

    /// Signs and posts one webhook; retried on 429 only.
    func deliver(_ body: Data, to url: URL) async {
        let signature = (try? signingKey.signature(for: body).base64EncodedString()) ?? ""
        var delay = retryDelay
        for attempt in 1...6 {
            var request = HTTPClientRequest(url: url.absoluteString)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "x-ghl-signature", value: signature)
            request.body = .bytes(ByteBuffer(data: body))
            do {
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                guard response.status.code == 429, attempt < 6 else { return }
            } catch {
                logger.debug("webhook delivery failed", metadata: ["url": "\(url)", "error": "\(error)"])
                return
            }
            try? await Task.sleep(for: delay)
            delay *= 2
        }
    }
}
