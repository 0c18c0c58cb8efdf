import AsyncHTTPClient
public import Crypto
public import Foundation
public import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Synchronization

/// Sends GHL-style webhooks (contact, opportunity, message, appointment … events) to the configured URLs, signed
/// like GHL's `x-ghl-signature`: Ed25519 over the raw body, base64. As GHL does, a delivery is retried only when the
/// receiver answers 429, up to 6 tries in all, each with the same body (so the same `timestamp`).
///
/// For rehearsing GHL's bad days it can drop the next webhooks (GHL loses a webhook on any answer but 429), and
/// re-send one it sent before, byte for byte — GHL's 10-minute-later retry.
public struct SandboxWebhooks: Sendable {
    /// The key the sandbox signs with; give its public half to the receiver's verifier.
    public let signingKey: Curve25519.Signing.PrivateKey
    private let targets: Targets
    /// Where webhooks go.
    public var urls: [URL] { targets.urls.withLock { $0 } }

    /// The receivers, changeable once the receiver knows its port; what was sent; what to drop.
    private final class Targets: Sendable {
        let urls: Mutex<[URL]>
        let sent = Mutex(SentWebhooks())
        let faults = Mutex(WebhookFaults())
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

    /// Drops the next `count` webhooks: they are recorded as sent but never reach a receiver (as GHL loses a
    /// webhook answered with anything but 429).
    public func dropNext(_ count: Int) {
        targets.faults.withLock { $0.drop = max(0, count) }
    }

    /// Sends each of the next `count` webhooks twice (GHL does, now and then).
    public func duplicateNext(_ count: Int) {
        targets.faults.withLock { $0.duplicate = max(0, count) }
    }

    /// Holds back each of the next `count` webhooks until the one after it has been sent (out of order).
    public func reorderNext(_ count: Int) {
        targets.faults.withLock { $0.hold = max(0, count) }
    }

    /// The webhooks sent so far (the newest 10,000), oldest first.
    public func sent() -> [SentWebhooks.Entry] {
        targets.sent.withLock { $0.entries }
    }

    /// Sends a webhook sent before again, the same bytes with the same signature — as GHL's 429 retry does, up to
    /// an hour later. - Returns: `false` when no such webhook was sent (or it is too old to be kept).
    @discardableResult
    public func resend(webhookID: String) async -> Bool {
        guard let entry = targets.sent.withLock({ $0.entry(id: webhookID) }) else { return false }
        for url in urls { await deliver(entry.body, to: url) }
        return true
    }

    /// Sends a contact event to every URL, in the background.
    func contactEvent(
        _ type: String,
        _ contact: SandboxLocation.Contact,
        locationID: String,
        extra: [String: Any] = [:]
    ) {
        var payload: [String: Any] = [
            "id": contact.id,
            "dateAdded": contact.dateAdded.formatted(.iso8601),
            "tags": contact.tags,
        ]
        payload["email"] = contact.email
        payload["phone"] = contact.phone
        payload["firstName"] = contact.firstName
        payload["lastName"] = contact.lastName
        payload["postalCode"] = contact.postalCode
        payload["source"] = contact.source
        payload.merge(extra) { $1 }
        emit(type, payload, locationID: locationID)
    }

    /// Sends an event of any type to every URL, in the background: the payload's fields plus `type`, `locationId`,
    /// `timestamp` and a new `webhookId`. - Returns: the webhook id.
    @discardableResult
    func emit(_ type: String, _ fields: [String: Any], locationID: String) -> String {
        let webhookID = UUID().uuidString
        var payload = fields
        payload["type"] = type
        payload["locationId"] = locationID
        payload["timestamp"] = now().formatted(.iso8601)
        payload["webhookId"] = webhookID
        guard let body = try? JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys]) else {
            return webhookID
        }
        let (dropped, bodies) = targets.faults.withLock { $0.plan(for: body) }
        targets.sent.withLock { $0.append(.init(id: webhookID, type: type, body: body, dropped: dropped)) }
        if dropped {
            logger.debug("webhook dropped (fault plan)", metadata: ["type": "\(type)", "webhookId": "\(webhookID)"])
        }
        guard !bodies.isEmpty else { return webhookID }
        for url in urls {
            // One after the other, in the planned order.
            Task { for body in bodies { await deliver(body, to: url) } }
        }
        return webhookID
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

/// The webhooks the sandbox sent, newest kept, for tests and for re-sending.
public struct SentWebhooks: Sendable {
    /// One webhook as it went out.
    public struct Entry: Sendable {
        public var id: String
        public var type: String
        /// The exact bytes signed and sent.
        public var body: Data
        /// Whether the fault plan dropped it.
        public var dropped: Bool
    }

    static let capacity = 10_000
    private(set) var entries: [Entry] = []

    mutating func append(_ entry: Entry) {
        if entries.count >= Self.capacity { entries.removeFirst(entries.count - Self.capacity + 1) }
        entries.append(entry)
    }

    func entry(id: String) -> Entry? { entries.last { $0.id == id } }
}

/// The webhook faults still to inject: how many of the next webhooks to drop, send twice, or hold back.
struct WebhookFaults: Sendable {
    var drop = 0
    var duplicate = 0
    var hold = 0
    /// Webhooks held back, sent after the next one.
    var held: [Data] = []

    /// What to send now for a new webhook (nothing when it is dropped or held), and whether it was dropped.
    mutating func plan(for body: Data) -> (dropped: Bool, bodies: [Data]) {
        if drop > 0 {
            drop -= 1
            return (true, [])
        }
        var bodies = [body]
        if duplicate > 0 {
            duplicate -= 1
            bodies.append(body)
        }
        if hold > 0 {
            hold -= 1
            held += bodies
            return (false, [])
        }
        defer { held = [] }
        return (false, bodies + held)
    }
}
