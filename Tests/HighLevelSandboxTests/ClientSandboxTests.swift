import AsyncHTTPClient
import Foundation
import HighLevel
import HighLevelSandbox
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Synchronization
import Testing

/// The GHL client against the sandbox, over real HTTP on 127.0.0.1.
@Suite("GHL client ↔ sandbox")
struct ClientSandboxTests {
    /// A sandbox whose rate-limit window is 1 s instead of 10 s (same budget shape, ten times faster to test).
    static func configuration(
        snapshotLoadDelay: Duration = .milliseconds(300),
        rateLimit: Int = 100,
        faults: FaultPlan = .none
    ) -> SandboxServer.Configuration {
        SandboxServer.Configuration(
            port: 0,
            snapshotLoadDelay: snapshotLoadDelay,
            rateLimit: rateLimit,
            rateLimitInterval: 1,
            faults: faults
        )
    }

    static func client(
        _ sandbox: SandboxServer,
        _ baseURL: URL,
        credentials: AgencyCredentials? = nil,
        retry: RetryPolicy = RetryPolicy(maxAttempts: 8, baseDelay: .milliseconds(20), maxDelay: .milliseconds(200)),
        onRefresh: @escaping @Sendable (OAuthCredentials) async -> Void = { _ in }
    ) -> HighLevelClient {
        HighLevelClient(
            configuration: .init(
                baseURL: baseURL,
                companyID: sandbox.configuration.companyID,
                credentials: credentials ?? .privateIntegration(token: sandbox.configuration.agencyToken),
                retry: retry,
                rateLimit: sandbox.configuration.rateLimit,
                rateLimitInterval: .seconds(1)
            ),
            onCredentialsRefreshed: onRefresh
        )
    }

    @Test("sub-accounts: create with a snapshot, read, search, update; the snapshot loads asynchronously")
    func subAccounts() async throws {
        let time = ShiftedTime()
        try await SandboxServer.withRunning(Self.configuration(snapshotLoadDelay: .seconds(60)), now: { time.now() }) {
            sandbox,
            baseURL in
            let client = Self.client(sandbox, baseURL)
            let snapshots = try await client.snapshots()
            #expect(snapshots.map(\.id) == [SandboxSnapshot.franchiseStandard.id])

            let created = try await client.createSubAccount(
                NewSubAccount(
                    name: "Summit Strength Boise",
                    postalCode: "83702",
                    timezone: "America/Boise",
                    snapshotID: snapshots[0].id
                )
            )
            #expect(try await client.subAccount(id: created.id).name == "Summit Strength Boise")
            #expect(try await client.allSubAccounts().map(\.id) == [created.id])

            let pending = try await client.snapshotPushStatus(snapshotID: snapshots[0].id, locationID: created.id)
            #expect(!pending.isCompleted)
            #expect(try await client.workflows(locationID: created.id).isEmpty)
            time.advance(by: 61)
            let done = try await client.snapshotPushStatus(snapshotID: snapshots[0].id, locationID: created.id)
            #expect(done.isCompleted)
            #expect(try await client.workflows(locationID: created.id).count == 3)
            #expect(try await client.pipelines(locationID: created.id).map(\.name) == ["Memberships"])
            #expect(
                Set(try await client.customFields(locationID: created.id).map(\.name)) == [
                    "Routing distance", "Routing reason", "Lead score",
                ]
            )

            let renamed = try await client.updateSubAccount(id: created.id, name: "Summit Strength Boise Downtown")
            #expect(renamed.name == "Summit Strength Boise Downtown")

            let value = try await client.createCustomValue(
                name: "Business hours",
                value: "mon-fri 05:00-22:00",
                locationID: created.id
            )
            _ = try await client.updateCustomValue(
                id: value.id,
                name: "Business hours",
                value: "24h",
                locationID: created.id
            )
            #expect(try await client.customValues(locationID: created.id).map(\.value) == ["24h"])
            let field = try await client.createCustomField(
                name: "Membership tier",
                dataType: "TEXT",
                locationID: created.id
            )
            #expect(field.dataType == "TEXT")
        }
    }

    @Test(
        "contacts: upsert matches on email/phone; create refuses a duplicate with the existing id; workflow and opportunity"
    )
    func contacts() async throws {
        try await SandboxServer.withRunning(Self.configuration(snapshotLoadDelay: .zero)) { sandbox, baseURL in
            let client = Self.client(sandbox, baseURL)
            let location = try await client.createSubAccount(
                NewSubAccount(name: "Gym", snapshotID: SandboxSnapshot.franchiseStandard.id)
            ).id
            let draft = ContactDraft(
                firstName: "Ava",
                email: "ava@example.com",
                phone: "+15125550100",
                tags: ["switchboard:routed"]
            )
            let first = try await client.upsertContact(draft, locationID: location)
            #expect(first.isNew)
            var again = draft
            again.email = "AVA@example.com"
            again.tags = ["switchboard:routed", "gym:atx"]
            let second = try await client.upsertContact(again, locationID: location)
            #expect(!second.isNew)
            #expect(second.contact.id == first.contact.id)
            #expect(second.contact.tags == ["switchboard:routed", "gym:atx"])
            #expect(try await sandbox.contactCount(locationID: location) == 1)

            await #expect {
                _ = try await client.createContact(ContactDraft(phone: "(512) 555-0100"), locationID: location)
            } throws: { error in
                let error = error as! HighLevelError
                return error.status == 400 && error.message == "This location does not allow duplicated contacts."
                    && error.traceID != nil && !error.isRetryable
            }
            #expect(
                try await client.duplicateContact(locationID: location, email: "ava@example.com", phone: nil)?.id
                    == first.contact.id
            )
            #expect(
                try await client.duplicateContact(locationID: location, email: "nobody@example.com", phone: nil) == nil
            )
            #expect(try await client.contact(id: first.contact.id, locationID: location).email == "AVA@example.com")

            let workflow = try #require(try await client.workflows(locationID: location).first)
            try await client.addContactToWorkflow(
                contactID: first.contact.id,
                workflowID: workflow.id,
                locationID: location
            )
            let pipeline = try #require(try await client.pipelines(locationID: location).first)
            let opportunity = try await client.createOpportunity(
                name: "Ava — trial",
                contactID: first.contact.id,
                pipelineID: pipeline.id,
                stageID: nil,
                locationID: location
            )
            #expect(!opportunity.isEmpty)
        }
    }

    @Test(
        "a burst of 500 calls at one location completes, never over the limit in any window, with no failure",
        arguments: [1.0, 10.0]  // a 1 s window, and GHL's real 10 s one (about 45 s of waiting)
    )
    func burst(windowSeconds: Double) async throws {
        var configuration = Self.configuration(snapshotLoadDelay: .zero)
        configuration.rateLimitInterval = windowSeconds
        try await SandboxServer.withRunning(configuration) { sandbox, baseURL in
            // The client is configured with the sandbox's budget (GHL's documented 100 / 10 s in the real case).
            let client = HighLevelClient(
                configuration: .init(
                    baseURL: baseURL,
                    companyID: sandbox.configuration.companyID,
                    credentials: .privateIntegration(token: sandbox.configuration.agencyToken),
                    rateLimitInterval: .milliseconds(Int(windowSeconds * 1000))
                )
            )
            let location = try await client.createSubAccount(NewSubAccount(name: "Busy gym")).id
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<500 {
                    group.addTask { _ = try await client.customValues(locationID: location) }
                }
                try await group.waitForAll()
            }
            let calls = await sandbox.journal.entries(operation: "get-custom-values")
            #expect(calls.count == 500)
            #expect(calls.allSatisfy { $0.status == 200 })
            #expect(await sandbox.journal.peakCalls(resource: "location:\(location)", within: windowSeconds) <= 100)
            // How fast the burst completes is a benchmark's question (Benchmarks: DeliveryLoad compares the wall
            // time with the rate-limit lower bound), not a unit test's: on a busy machine it varies.
        }
    }

    @Test("a 429 storm and 5xx errors are retried to success; a create is never retried blind")
    func faults() async throws {
        try await SandboxServer.withRunning(Self.configuration(snapshotLoadDelay: .zero)) { sandbox, baseURL in
            let client = Self.client(sandbox, baseURL)
            let location = try await client.createSubAccount(NewSubAccount(name: "Gym")).id

            // The location token is minted first, so that the next call goes straight out; the storm is long enough
            // that it lands inside even on a machine busy with other tests.
            _ = try await client.customValues(locationID: location)
            await sandbox.controls.setFaults(FaultPlan(throttleUntil: Date().addingTimeInterval(5)))
            #expect(try await client.customValues(locationID: location).isEmpty)
            #expect(await sandbox.journal.entries(status: 429).count >= 1, "the storm answered 429s")

            // 20 % of calls fail with a 5xx (as the delivery rehearsals do); with 8 attempts a call fails for good
            // with probability 0.2^8, so 60 calls all succeed (and some 5xx certainly happen: 1 − 0.8^60).
            await sandbox.controls.setFaults(FaultPlan(errorRate: 0.2))
            for _ in 0..<60 { _ = try await client.customFields(locationID: location) }
            #expect(await sandbox.journal.entries(operation: "get-custom-fields", status: 200).count == 60)
            let failures = await sandbox.journal.entries(operation: "get-custom-fields").filter { $0.status >= 500 }
            #expect(!failures.isEmpty)

            await sandbox.controls.setFaults(FaultPlan(errorRate: 1))
            let before = await sandbox.journal.entries(operation: "create-location").count
            await #expect {
                _ = try await client.createSubAccount(NewSubAccount(name: "Second gym"))
            } throws: { error in
                (error as? HighLevelError)?.isRetryable == true
            }
            #expect(await sandbox.journal.entries(operation: "create-location").count == before + 1)
        }
    }

    @Test("an expired location token is re-minted once; a refreshed OAuth pair is handed back to be persisted")
    func tokens() async throws {
        try await SandboxServer.withRunning(Self.configuration(snapshotLoadDelay: .zero)) { sandbox, baseURL in
            let client = Self.client(sandbox, baseURL)
            let location = try await client.createSubAccount(NewSubAccount(name: "Gym")).id
            _ = try await client.customValues(locationID: location)
            _ = try await client.customValues(locationID: location)
            #expect(await sandbox.journal.entries(operation: "get-location-access-token").count == 1)
            await sandbox.expireLocationTokens()
            _ = try await client.customValues(locationID: location)
            #expect(await sandbox.journal.entries(operation: "get-location-access-token").count == 2)
            #expect(await sandbox.journal.entries(operation: "get-custom-values", status: 401).count == 1)

            let pair = await sandbox.issueAgencyTokens()
            let refreshed = Refreshed()
            let oauth = Self.client(
                sandbox,
                baseURL,
                credentials: .oauth(
                    OAuthCredentials(
                        clientID: "app",
                        clientSecret: "secret",
                        accessToken: pair.accessToken,
                        refreshToken: pair.refreshToken,
                        expiresAt: Date()
                    )
                ),
                onRefresh: { await refreshed.set($0) }
            )
            #expect(try await oauth.snapshots().count == 1)
            let new = try #require(await refreshed.value)
            #expect(new.refreshToken != pair.refreshToken)
            #expect(new.accessToken != pair.accessToken)
        }
    }

    @Test("GHL's rules: Version header required, unknown body fields refused (422), tokens scoped to their location")
    func rules() async throws {
        try await SandboxServer.withRunning(Self.configuration(snapshotLoadDelay: .zero)) { sandbox, baseURL in
            let client = Self.client(sandbox, baseURL)
            let first = try await client.createSubAccount(NewSubAccount(name: "First")).id
            let token = sandbox.configuration.agencyToken

            let missingVersion = try await Self.raw(
                .GET,
                "\(baseURL)/snapshots/?companyId=\(sandbox.configuration.companyID)",
                token: token,
                version: nil
            )
            #expect(missingVersion.status == 400)
            #expect(missingVersion.json["message"] as? String == "Version header is required")
            #expect(missingVersion.json["traceId"] is String)

            let unknownField = try await Self.raw(
                .POST,
                "\(baseURL)/locations/",
                token: token,
                body: #"{"companyId":"\#(sandbox.configuration.companyID)","name":"X","favouriteColour":"blue"}"#
            )
            #expect(unknownField.status == 422)
            #expect(unknownField.json["message"] as? [String] == ["property favouriteColour should not exist"])

            let unsigned = try await Self.raw(.GET, "\(baseURL)/locations/\(first)", token: "nope")
            #expect(unsigned.status == 401)

            // A location call with the agency token is refused: location routes need a sub-account token.
            let agencyOnLocationRoute = try await Self.raw(
                .GET,
                "\(baseURL)/locations/\(first)/customValues",
                token: token
            )
            #expect(agencyOnLocationRoute.status == 401)
        }
    }

    /// Sends a request without the client, to check the sandbox's own answers.
    static func raw(
        _ method: HTTPMethod,
        _ url: String,
        token: String,
        version: String? = "2021-07-28",
        body: String? = nil
    ) async throws -> (status: Int, json: [String: Any], headers: HTTPHeaders) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let version { request.headers.add(name: "Version", value: version) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let json = (try? JSONSerialization.jsonObject(with: Data(buffer: bytes))) as? [String: Any] ?? [:]
        return (Int(response.status.code), json, response.headers)
    }
}

/// A clock for the sandbox that tests move forward (on top of real time, so rate limits still work).
final class ShiftedTime: Sendable {
    private let offset = Mutex<TimeInterval>(0)

    func now() -> Date {
        Date().addingTimeInterval(offset.withLock { $0 })
    }

    func advance(by seconds: TimeInterval) {
        offset.withLock { $0 += seconds }
    }
}

/// Collects the credentials handed back after a refresh.
actor Refreshed {
    var value: OAuthCredentials?
    func set(_ credentials: OAuthCredentials) { value = credentials }
}

@Suite("GHL client ↔ sandbox: limits")
struct ClientSandboxLimitTests {
    @Test("when GHL says the daily budget is gone, calls to that resource fail fast with a retryable error")
    func dailyLimit() async throws {
        var configuration = ClientSandboxTests.configuration(snapshotLoadDelay: .zero)
        configuration.dailyLimit = 3
        try await SandboxServer.withRunning(configuration) { sandbox, baseURL in
            let client = ClientSandboxTests.client(sandbox, baseURL, retry: .none)
            _ = try await client.snapshots()
            _ = try await client.snapshots()
            _ = try await client.snapshots()  // the answer says 0 left today
            let before = await sandbox.journal.entries().count
            await #expect {
                _ = try await client.snapshots()
            } throws: { error in
                let error = error as! HighLevelError
                return error.code == .dailyLimitReached && error.isRetryable
            }
            #expect(await sandbox.journal.entries().count == before, "no call was sent")
        }
    }

    @Test("a snapshot that never finishes loading stays pending")
    func snapshotNeverLoads() async throws {
        try await SandboxServer.withRunning(ClientSandboxTests.configuration(snapshotLoadDelay: .seconds(-1))) {
            sandbox,
            baseURL in
            let client = ClientSandboxTests.client(sandbox, baseURL)
            let snapshot = SandboxSnapshot.franchiseStandard.id
            let location = try await client.createSubAccount(NewSubAccount(name: "Gym", snapshotID: snapshot)).id
            try await Task.sleep(for: .milliseconds(100))
            #expect(!(try await client.snapshotPushStatus(snapshotID: snapshot, locationID: location).isCompleted))
            #expect(try await client.workflows(locationID: location).isEmpty)
        }
    }
}

@Suite("Sandbox state")
struct SandboxStateTests {
    @Test("with a data directory, sub-accounts and contacts survive a restart (SQLite)")
    func persistence() async throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "sandbox-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var configuration = ClientSandboxTests.configuration(snapshotLoadDelay: .zero)
        configuration.dataDirectory = directory.path()
        let location = try await SandboxServer.withRunning(configuration) { sandbox, baseURL in
            let client = ClientSandboxTests.client(sandbox, baseURL)
            let id = try await client.createSubAccount(NewSubAccount(name: "Kept gym")).id
            _ = try await client.upsertContact(ContactDraft(email: "kept@example.com"), locationID: id)
            return id
        }
        #expect(FileManager.default.fileExists(atPath: directory.appending(path: "ghl-sandbox.sqlite").path()))
        try await SandboxServer.withRunning(configuration) { sandbox, baseURL in
            let client = ClientSandboxTests.client(sandbox, baseURL)
            let names = try await client.allSubAccounts().map(\.name)
            let contacts = try await sandbox.contactCount(locationID: location)
            let match = try await client.duplicateContact(locationID: location, email: "kept@example.com", phone: nil)
            #expect(names == ["Kept gym"])
            #expect(contacts == 1)
            #expect(match != nil)
        }
    }

    @Test("with duplicates allowed, create and upsert make new contacts")
    func duplicatesAllowed() async throws {
        try await SandboxServer.withRunning(ClientSandboxTests.configuration(snapshotLoadDelay: .zero)) {
            sandbox,
            baseURL in
            let client = ClientSandboxTests.client(sandbox, baseURL)
            let location = try await client.createSubAccount(NewSubAccount(name: "Gym")).id
            try await sandbox.setAllowDuplicateContact(true, locationID: location)
            _ = try await client.createContact(ContactDraft(email: "twin@example.com"), locationID: location)
            _ = try await client.createContact(ContactDraft(email: "twin@example.com"), locationID: location)
            #expect(try await client.upsertContact(ContactDraft(email: "twin@example.com"), locationID: location).isNew)
            #expect(try await sandbox.contactCount(locationID: location) == 3)
        }
    }
}
