import AsyncHTTPClient
import Foundation
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
        client: HTTPClient
    ) async throws -> (status: HTTPResponseStatus, body: [String: Any]) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(Self.token)")
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        let response = try await client.execute(request, timeout: .seconds(60))
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
        let examples = Self.repository.appending(path: "examples")
        let acquired = try String(contentsOf: examples.appending(path: "acquired-75.csv"), encoding: .utf8)
        let file = FileManager.default.temporaryDirectory.appending(path: "sb-two-\(UUID().uuidString).csv")
        try acquired.split(separator: "\n").prefix(3).joined(separator: "\n").write(
            to: file,
            atomically: true,
            encoding: .utf8
        )
        let apply = try launch(
            [
                "rollout", "apply", "--wave", "all", "--locations", file.path, "--template",
                examples.appending(path: "location-template.yml").path, "--database-url", "\(database.text)",
                "--data-dir", FileManager.default.temporaryDirectory.appending(path: "sb-ro-\(UUID().uuidString)").path,
                "--json",
            ] + ghlFlags(sandbox)
        )
        apply.waitUntilExit()
        #expect(apply.terminationStatus == 0)
        let took = try await waitUntilRouted(
            "78215",
            to: "sa-pearl",
            by: instances,
            client: client,
            within: .seconds(1)
        )
        // The watcher polls every 0.5 s; the margin is for a machine busy with other tests.
        #expect(took < .seconds(3), "seen by all 3 instances after \(took)")
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
