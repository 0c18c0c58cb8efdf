import Crypto
import Foundation
import HTTPTypes
import HighLevel
import Hummingbird
import HummingbirdTesting
import LeadRouting
import Logging
import NIOCore
import NIOFoundationCompat
import Notifications
import Storage
import SwitchboardServer
import SwitchboardTesting
import Synchronization
import Testing

/// A clock tests move by hand, or — once `run()` — one that also runs on by itself (for retries and leases).
final class TestClock: Sendable {
    private let current: Mutex<(base: Date, runningSince: ContinuousClock.Instant?)>
    init(_ start: Date) { current = Mutex((start, nil)) }
    var now: Date {
        current.withLock { state in
            guard let since = state.runningSince else { return state.base }
            let elapsed = ContinuousClock.now - since
            return state.base.addingTimeInterval(
                Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            )
        }
    }
    func set(_ date: Date) { current.withLock { $0.base = date } }
    func advance(by seconds: TimeInterval) { current.withLock { $0.base = $0.base.addingTimeInterval(seconds) } }
    /// From now on the clock runs at real speed from where it stands.
    func run() { current.withLock { $0.runningSince = ContinuousClock.now } }
}

/// The service under test: an in-memory (or file) store, a webhook key the test signs with, a movable clock.
struct TestService {
    static let token = "test-api-token"
    let store: SQLiteStore
    let clock: TestClock
    let signingKey = Curve25519.Signing.PrivateKey()
    var configuration: ServerConfiguration
    /// Delivery into GHL, when a test sets it.
    var delivery: DeliverySetup?
    /// Notification webhooks, when a test sets them.
    var notifications = NotificationSettings()

    init(
        locations: [Location] = [Fixtures.location("atx-downtown", zip: "78701", daily: 10)],
        store: SQLiteStore? = nil,
        ghlLocationIDs: [String: String] = [:],
        at date: Date = Fixtures.mondayMorning,
        clock: TestClock? = nil
    ) async throws {
        self.store = try store ?? SQLiteStore()
        self.clock = clock ?? TestClock(date)
        configuration = ServerConfiguration(port: 0, apiToken: Self.token, workerPollInterval: .milliseconds(50))
        configuration.webhookVerification = WebhookVerifier.Configuration(
            ed25519PublicKey: signingKey.publicKey,
            rsaPublicKey: nil
        )
        if try await self.store.allLocations().isEmpty {
            try await self.store.saveLocations(
                locations.map { StoredLocation(location: $0, ghlLocationID: ghlLocationIDs[$0.id], updatedAt: date) }
            )
        }
    }

    func application() async throws -> some ApplicationProtocol {
        var logger = Logger(label: "switchboard.test")
        logger.logLevel = .warning
        let clock = self.clock
        return try await buildApplication(
            configuration: configuration,
            store: store,
            directory: Fixtures.directory,
            delivery: delivery,
            notifications: notifications,
            logger: logger,
            now: { clock.now }
        )
    }

    /// Runs `body` against the service through Hummingbird's router test client (the routing worker runs).
    func test<T: Sendable>(
        _ framework: TestingSetup = .router,
        _ body: @Sendable (any TestClientProtocol) async throws -> T
    ) async throws -> T {
        try await application().test(framework, body)
    }

    /// The signature GHL would send for these exact bytes.
    func sign(_ body: Data) throws -> String {
        try signingKey.signature(for: body).base64EncodedString()
    }

    /// A signed GHL `ContactCreate` webhook body and its signature.
    func contactCreate(
        postalCode: String?,
        webhookID: String? = UUID().uuidString,
        email: String? = nil,
        timestamp: Date? = nil,
        type: String = "ContactCreate",
        extra: [String: Any] = [:]
    ) throws -> (body: Data, signature: String) {
        var payload: [String: Any] = [
            "type": type,
            "locationId": "intake-location",
            "id": "contact-\((webhookID ?? "none").prefix(8))",
            "firstName": "Ana",
            "timestamp": (timestamp ?? clock.now).formatted(.iso8601),
        ]
        if let webhookID { payload["webhookId"] = webhookID }
        if let postalCode { payload["postalCode"] = postalCode }
        if let email { payload["email"] = email }
        payload.merge(extra) { $1 }
        let body = try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys])
        return (body, try signingKey.signature(for: body).base64EncodedString())
    }
}

extension TestClientProtocol {
    /// Sends JSON with the API token.
    func api(
        _ method: HTTPRequest.Method,
        _ uri: String,
        json: String? = nil,
        headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        var fields = headers
        if fields[.authorization] == nil { fields[.authorization] = "Bearer \(TestService.token)" }
        if json != nil && fields[.contentType] == nil { fields[.contentType] = "application/json" }
        return try await execute(
            uri: uri,
            method: method,
            headers: fields,
            body: json.map { ByteBuffer(string: $0) }
        )
    }

    /// Posts a webhook with the given signature header.
    func webhook(_ body: Data, signature: String?) async throws -> TestResponse {
        var fields: HTTPFields = [.contentType: "application/json"]
        if let signature { fields[HTTPField.Name("x-ghl-signature")!] = signature }
        return try await execute(uri: "/webhooks/ghl", method: .post, headers: fields, body: ByteBuffer(data: body))
    }

    /// Waits until a lead has been routed (or `timeout` passes) and returns it as JSON.
    func routedLead(_ id: String, timeout: Duration = .seconds(10)) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let lead = try await api(.get, "/v1/leads/\(id)").json()
            if lead["status"] as? String != "received" || ContinuousClock.now > deadline { return lead }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits until no routing job is pending.
    func routingSettled(timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let ready = try await execute(uri: "/health/ready", method: .get).json()
            if ready["routingJobsPending"] as? Int == 0 { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("routing did not settle within \(timeout)")
    }
}

extension TestResponse {
    /// The body as a JSON object (empty when it is not one).
    func json() throws -> [String: Any] {
        (try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]) ?? [:]
    }

    var text: String { String(buffer: body) }
}
