import AsyncHTTPClient
import Foundation
import HighLevelSandbox
import LeadRouting
import NIOCore
import NIOHTTP1
import Storage
import SwitchboardTesting
import Testing

@testable import SwitchboardCommands

#if canImport(Glibc)
import Glibc
#endif

/// Several `switchboard serve` processes on one PostgreSQL database (`SWITCHBOARD_TEST_POSTGRES_URL`, each test in
/// a schema of its own) and one standalone GHL sandbox: what one instance or command changes, the others see, and
/// the capacity ledger stays exact across them.
@Suite(
    "Scale-out: N instances on one PostgreSQL",
    .serialized,
    .enabled(if: StoreKind.postgresURL != nil, "SWITCHBOARD_TEST_POSTGRES_URL is not set")
)
struct ScaleOutTests {
    static let repository = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let binary = repository.appending(path: ".build/debug/switchboard").path
    static let token = "sb_scale_out_test_token"
    static let agencyToken = "sandbox-agency-scale-out"
    static let companyID = "sandbox-company-scale"

    /// A running process and the port it serves.
    struct Running {
        let process: Process
        let port: Int
        var url: String { "http://127.0.0.1:\(port)" }

        func stop() {
            if process.isRunning { kill(process.processIdentifier, SIGTERM) }
            process.waitUntilExit()
        }
    }

    private func launch(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(filePath: Self.binary)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    private func startSandbox() throws -> Running {
        let port = try FreePort.find(host: "127.0.0.1")
        let process = try launch([
            "sandbox", "--port", "\(port)", "--agency-token", Self.agencyToken, "--company-id", Self.companyID,
            "--snapshot-delay", "0.1",
        ])
        return Running(process: process, port: port)
    }

    private func ghlFlags(_ sandbox: Running) -> [String] {
        ["--ghl-base-url", sandbox.url, "--ghl-token", Self.agencyToken, "--ghl-company-id", Self.companyID]
    }

    private func startServe(database: PostgresURL, sandbox: Running) throws -> Running {
        let port = try FreePort.find(host: "127.0.0.1")
        let directory = FileManager.default.temporaryDirectory.appending(path: "sb-scale-\(UUID().uuidString)").path
        let process = try launch(
            [
                "serve", "--database-url", "\(database.text)", "--data-dir", directory, "--port", "\(port)",
                "--api-token", Self.token, "--log-level", "error",
            ] + ghlFlags(sandbox)
        )
        return Running(process: process, port: port)
    }

    private func waitUntilReady(_ running: Running, path: String, client: HTTPClient) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            var request = HTTPClientRequest(url: running.url + path)
            request.headers.add(name: "Authorization", value: "Bearer \(Self.agencyToken)")
            if let response = try? await client.execute(request, timeout: .seconds(2)), response.status == .ok {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("\(running.url)\(path) did not answer 200 within 60 s")
    }

    private func call(
        _ method: HTTPMethod,
        _ url: String,
        json: String? = nil,
        client: HTTPClient,
        timeout: Duration = .seconds(60)
    ) async throws -> (status: HTTPResponseStatus, body: [String: Any]) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(Self.token)")
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        let response = try await client.execute(
            request,
            timeout: .nanoseconds(timeout.components.seconds * 1_000_000_000)
        )
        let bytes = try await response.body.collect(upTo: 1 << 22)
        let body = (try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView))) as? [String: Any] ?? [:]
        return (response.status, body)
    }

    /// Waits until every instance's routing sends a lead at `postalCode` to `locationID`.
    private func waitUntilRouted(
        _ postalCode: String,
        to locationID: String,
        by instances: [Running],
        client: HTTPClient,
        within limit: Duration
    ) async throws -> Duration {
        let started = ContinuousClock.now
        for instance in instances {
            while true {
                let preview = try await call(
                    .POST,
                    instance.url + "/v1/route/preview",
                    json: #"{"postalCode":"\#(postalCode)"}"#,
                    client: client
                )
                if preview.body["locationId"] as? String == locationID { break }
                if ContinuousClock.now - started > limit + .seconds(10) {
                    Issue.record("\(instance.url) never routed \(postalCode) to \(locationID)")
                    break
                }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        return ContinuousClock.now - started
    }

    /// Every stored lead, read through the store.
    private func allLeads(in store: PostgresStore) async throws -> [LeadRecord] {
        var leads: [LeadRecord] = []
        var cursor: LeadCursor?
        repeat {
            let page = try await store.leads(matching: LeadQuery(limit: 500, after: cursor))
            leads += page.leads
            cursor = page.next
        } while cursor != nil
        return leads
    }

    /// Onboards the first `count` gyms of the acquired franchise with `rollout apply` in a process of its own,
    /// optionally with a larger daily and weekly capacity. - Returns: their ids and postal codes.
    private func onboard(
        _ count: Int,
        database: PostgresURL,
        sandbox: Running,
        capacity: Int? = nil
    ) throws -> [(id: String, postalCode: String)] {
        let examples = Self.repository.appending(path: "examples")
        let rows = try String(contentsOf: examples.appending(path: "acquired-75.csv"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        var chosen: [(id: String, postalCode: String)] = []
        var lines = [rows[0]]
        for row in rows.dropFirst().prefix(count) {
            var fields = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if let capacity {
                fields[4] = "\(capacity)"
                fields[5] = "\(capacity * 5)"
            }
            chosen.append((fields[0], fields[2]))
            lines.append(fields.joined(separator: ","))
        }
        let file = FileManager.default.temporaryDirectory.appending(path: "sb-onboard-\(UUID().uuidString).csv")
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let apply = try launch(
            [
                "rollout", "apply", "--wave", "all", "--locations", file.path, "--template",
                examples.appending(path: "location-template.yml").path, "--database-url", "\(database.text)",
                "--data-dir", FileManager.default.temporaryDirectory.appending(path: "sb-ro-\(UUID().uuidString)").path,
                "--json",
            ] + ghlFlags(sandbox)
        )
        apply.waitUntilExit()
        #expect(apply.terminationStatus == 0, "rollout apply exited \(apply.terminationStatus)")
        return chosen
    }

    /// Posts leads round-robin over the running instances (as a load balancer that drops a dead backend) and the
    /// postal codes, at most 64 at a time, like a busy form backend. - Returns: the ids acknowledged (202).
    private func post(
        _ count: Int,
        tag: String,
        to instances: [Running],
        postalCodes: [String],
        client: HTTPClient
    ) async throws -> [String] {
        try await withThrowingTaskGroup(of: String?.self) { group in
            var acknowledged: [String] = []
            for index in 0..<count {
                if index >= 64, let id = try await group.next(), let id { acknowledged.append(id) }
                let running = instances.filter(\.process.isRunning)
                let instance = running.isEmpty ? instances[0] : running[index % running.count]
                let postalCode = postalCodes[index % postalCodes.count]
                group.addTask {
                    let answer = try? await call(
                        .POST,
                        instance.url + "/v1/leads",
                        json: #"{"postalCode":"\#(postalCode)","email":"\#(tag)-\#(index)@example.com"}"#,
                        client: client,
                        timeout: .seconds(10)
                    )
                    return answer?.status == .accepted ? answer?.body["id"] as? String : nil
                }
            }
            for try await id in group { if let id { acknowledged.append(id) } }
            return acknowledged
        }
    }

    /// Waits until no routing or delivery job is waiting (or the time is up).
    private func waitForQueues(in store: PostgresStore, within limit: Duration) async throws {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            let route = try await store.pendingJobCount(kind: .route)
            let deliver = try await store.pendingJobCount(kind: .deliver)
            if route == 0 && deliver == 0 { return }
            try await Task.sleep(for: .milliseconds(250))
        }
        Issue.record("jobs still waiting after \(limit)")
    }

    /// The sandbox's journal.
    private func journal(_ sandbox: Running, client: HTTPClient) async throws -> [SandboxJournal.Entry] {
        var request = HTTPClientRequest(url: sandbox.url + "/_sandbox/journal")
        request.headers.add(name: "Authorization", value: "Bearer \(Self.agencyToken)")
        let response = try await client.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 1 << 28)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode([SandboxJournal.Entry].self, from: Data(bytes.readableBytesView))
    }

    @Test("GHL's limits hold for the app, not per instance: 3 instances deliver 3,000 leads into 10 sub-accounts")
    func rateLimitsAreSharedAcrossInstances() async throws {
        let database = try #require(StoreKind.isolatedPostgresURL())
        let sandbox = try startSandbox()
        defer { sandbox.stop() }
        let client = HTTPClient.shared
        try await waitUntilReady(sandbox, path: "/_sandbox/journal", client: client)
        var instances: [Running] = []
        defer { for instance in instances { instance.stop() } }
        for _ in 0..<3 { instances.append(try startServe(database: database, sandbox: sandbox)) }
        for instance in instances { try await waitUntilReady(instance, path: "/health/ready", client: client) }
        let gyms = try onboard(10, database: database, sandbox: sandbox, capacity: 1_000)
        for gym in gyms {
            _ = try await waitUntilRouted(
                gym.postalCode,
                to: gym.id,
                by: instances,
                client: client,
                within: .seconds(3)
            )
        }
        let started = ContinuousClock.now
        let acknowledged = try await post(
            3_000,
            tag: "limits",
            to: instances,
            postalCodes: gyms.map(\.postalCode),
            client: client
        )
        #expect(acknowledged.count == 3_000)
        let store = try PostgresStore(url: database, maximumConnections: 2)
        try await store.whileRunning { () async throws in
            try await waitForQueues(in: store, within: .seconds(300))
            var delivered = 0
            for id in acknowledged where try await store.delivery(ofLead: id)?.state == .delivered { delivered += 1 }
            #expect(delivered == 3_000)
        }
        let took = ContinuousClock.now - started
        var request = HTTPClientRequest(url: sandbox.url + "/_sandbox/journal/peaks?windowSeconds=10")
        request.headers.add(name: "Authorization", value: "Bearer \(Self.agencyToken)")
        let response = try await client.execute(request, timeout: .seconds(30))
        let report =
            try JSONSerialization.jsonObject(
                with: Data(try await response.body.collect(upTo: 1 << 20).readableBytesView)
            ) as? [String: Any]
        let peaks = report?["peaks"] as? [String: Int] ?? [:]
        let statuses = report?["statuses"] as? [String: Int] ?? [:]
        let locationPeaks = peaks.filter { $0.key.hasPrefix("location:") }
        #expect(locationPeaks.count >= 10)
        #expect(locationPeaks.values.allSatisfy { $0 <= 100 }, "peaks per 10 s: \(locationPeaks)")
        #expect((peaks["company"] ?? 0) <= 100)
        let total = statuses.values.reduce(0, +)
        let throttled = statuses["429"] ?? 0
        #expect(Double(throttled) < Double(total) * 0.01, "\(throttled) of \(total) calls answered 429")
        print(
            "rate limits: 3,000 leads delivered in \(took); \(total) GHL calls, \(throttled) answered 429; peaks \(locationPeaks.values.sorted())"
        )
    }

    @Test("kill -9 of one instance under load: every acknowledged lead is stored, routed and delivered, once")
    func killedInstanceLosesNothing() async throws {
        let database = try #require(StoreKind.isolatedPostgresURL())
        let sandbox = try startSandbox()
        defer { sandbox.stop() }
        let client = HTTPClient.shared
        try await waitUntilReady(sandbox, path: "/_sandbox/journal", client: client)
        var instances: [Running] = []
        defer { for instance in instances { instance.stop() } }
        for _ in 0..<3 { instances.append(try startServe(database: database, sandbox: sandbox)) }
        for instance in instances { try await waitUntilReady(instance, path: "/health/ready", client: client) }
        let gyms = try onboard(5, database: database, sandbox: sandbox, capacity: 1_000)
        for gym in gyms {
            _ = try await waitUntilRouted(
                gym.postalCode,
                to: gym.id,
                by: instances,
                client: client,
                within: .seconds(3)
            )
        }
        let postalCodes = gyms.map(\.postalCode)
        // Leads flow to all three; one is killed while they do.
        let victim = instances[2].process.processIdentifier
        let killer = Task {
            try await Task.sleep(for: .milliseconds(400))
            kill(victim, SIGKILL)
        }
        var acknowledged = try await post(900, tag: "before", to: instances, postalCodes: postalCodes, client: client)
        try await killer.value
        acknowledged += try await post(
            300,
            tag: "after",
            to: Array(instances.prefix(2)),
            postalCodes: postalCodes,
            client: client
        )
        #expect(acknowledged.count >= 900)
        let posted = ContinuousClock.now
        let store = try PostgresStore(url: database, maximumConnections: 2)
        let contactIDs = try await store.whileRunning { () async throws -> [String] in
            // The killed instance's claims are taken over once their leases lapse (routing 30 s, delivery 60 s).
            try await waitForQueues(in: store, within: .seconds(180))
            let acknowledgedLeads = try await store.leads(ids: acknowledged)
            #expect(acknowledgedLeads.count == acknowledged.count)
            // Every stored lead — acknowledged, or stored by the killed instance just before it could answer — is
            // routed and delivered.
            let stored = try await allLeads(in: store)
            #expect(stored.allSatisfy { $0.decision?.outcome == .assigned })
            var contactIDs: [String] = []
            for lead in stored {
                let delivery = try await store.delivery(ofLead: lead.id)
                #expect(delivery?.state == .delivered, "lead \(lead.id): \(String(describing: delivery))")
                if let contact = delivery?.contactID { contactIDs.append(contact) }
            }
            return contactIDs
        }
        let settled = ContinuousClock.now
        #expect(Set(contactIDs).count == contactIDs.count, "a contact was delivered for two leads")
        // One contact per lead in GHL: the contacts the sandbox made are exactly the delivered ones.
        var made: Set<String> = []
        for entry in try await journal(sandbox, client: client)
        where entry.operation == "upsert-contact" && (200..<300).contains(entry.status) {
            if let body = entry.responseBody,
                let json = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
                let contact = json["contact"] as? [String: Any], let id = contact["id"] as? String
            {
                made.insert(id)
            }
        }
        #expect(made.count == contactIDs.count)
        #expect(made.subtracting(contactIDs).isEmpty)
        print(
            "kill -9: \(acknowledged.count) acknowledged, \(contactIDs.count) stored and delivered, \(made.count) "
                + "contacts; queues empty \(settled - posted) after the last post"
        )
    }

    @Test(
        "3 instances, 1,000 concurrent leads at a gym with daily capacity 10: exactly 10 assigned, the ledger says 10"
    )
    func capacityIsExactAcrossInstances() async throws {
        let database = try #require(StoreKind.isolatedPostgresURL())
        let sandbox = try startSandbox()
        defer { sandbox.stop() }
        let client = HTTPClient.shared
        try await waitUntilReady(sandbox, path: "/_sandbox/journal", client: client)
        var instances: [Running] = []
        defer { for instance in instances { instance.stop() } }
        for _ in 0..<3 { instances.append(try startServe(database: database, sandbox: sandbox)) }
        for instance in instances { try await waitUntilReady(instance, path: "/health/ready", client: client) }

        // Made through one instance; the others pick it up from the database.
        let created = try await call(
            .POST,
            instances[0].url + "/v1/locations",
            json: #"{"id":"atx","name":"Summit Austin","postalCode":"78701","dailyCapacity":10,"radiusMiles":25}"#,
            client: client
        )
        #expect(created.status == .created)
        _ = try await waitUntilRouted("78701", to: "atx", by: instances, client: client, within: .seconds(3))

        let statuses = try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
            for index in 0..<1_000 {
                let instance = instances[index % instances.count]
                group.addTask {
                    try await call(
                        .POST,
                        instance.url + "/v1/leads",
                        json: #"{"postalCode":"78701","email":"lead-\#(index)@example.com"}"#,
                        client: client
                    ).status
                }
            }
            return try await group.reduce(into: [HTTPResponseStatus]()) { $0.append($1) }
        }
        #expect(statuses.filter { $0 == .accepted }.count == 1_000)

        let store = try PostgresStore(url: database, maximumConnections: 2)
        try await store.whileRunning { () async throws in
            let deadline = ContinuousClock.now + .seconds(120)
            while try await store.pendingJobCount(kind: .route) > 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
            }
            let leads = try await allLeads(in: store)
            #expect(leads.count == 1_000)
            #expect(leads.filter { $0.decision?.outcome == .assigned }.count == 10)
            #expect(leads.filter { $0.decision?.outcome == .noCapacity }.count == 990)
            let slots = Set(leads.compactMap(\.slot))
            #expect(slots.count == 1)
            if let slot = slots.first {
                #expect(try await store.usage(in: [slot])["atx"]?.today == 10)
            }
        }
    }

    @Test("A gym activated by `rollout apply` (another process) gets leads from every running instance within 1 s")
    func rolloutReachesEveryInstance() async throws {
        let database = try #require(StoreKind.isolatedPostgresURL())
        let sandbox = try startSandbox()
        defer { sandbox.stop() }
        let client = HTTPClient.shared
        try await waitUntilReady(sandbox, path: "/_sandbox/journal", client: client)
        var instances: [Running] = []
        defer { for instance in instances { instance.stop() } }
        for _ in 0..<3 { instances.append(try startServe(database: database, sandbox: sandbox)) }
        for instance in instances { try await waitUntilReady(instance, path: "/health/ready", client: client) }
        for instance in instances {
            let before = try await call(
                .POST,
                instance.url + "/v1/route/preview",
                json: #"{"postalCode":"78215"}"#,
                client: client
            )
            #expect(before.body["outcome"] as? String == "noLocations")
        }

        // Two of the acquired gyms (San Antonio), onboarded by a separate process into the same database.
        _ = try onboard(2, database: database, sandbox: sandbox)
        let took = try await waitUntilRouted(
            "78215",
            to: "sa-pearl",
            by: instances,
            client: client,
            within: .seconds(1)
        )
        // The watcher polls every 0.5 s; the margin is for a machine busy with other tests.
        #expect(took < .seconds(3), "seen by all 3 instances after \(took)")
        print("rollout apply → every instance routes to the new gym after \(took)")
        for (index, instance) in instances.enumerated() {
            let lead = try await call(
                .POST,
                instance.url + "/v1/leads",
                json: #"{"postalCode":"78215","email":"sa-\#(index)@example.com"}"#,
                client: client
            )
            #expect(lead.status == .accepted)
        }
    }
}

extension PostgresURL {
    /// The URL as a command line takes it.
    var text: String {
        var text = "postgres://\(username)\(password.map { ":\($0)" } ?? "")@\(host):\(port)/\(database)"
        var parameters = ["sslmode=\(tls.rawValue)"]
        if let schema { parameters.append("schema=\(schema)") }
        text += "?" + parameters.joined(separator: "&")
        return text
    }
}
