import AsyncHTTPClient
import Foundation
import HighLevelSandbox
import NIOCore
import NIOHTTP1
import Storage
import Testing

@testable import SwitchboardCommands

#if canImport(Glibc)
import Glibc
#endif

/// `switchboard serve` as a process, on the embedded default, stopped with a delivery backlog.
@Suite("switchboard serve shuts down in bounded time", .serialized)
struct ShutdownTests {
    static let repository = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let binary = repository.appending(path: ".build/debug/switchboard").path
    static let token = "sb_shutdown_test_token"

    /// A running `serve` on a data directory.
    struct Serve {
        let process: Process
        let port: Int
        var url: String { "http://127.0.0.1:\(port)" }
    }

    private func start(_ directory: String, sandboxPort: Int) throws -> Serve {
        let port = try FreePort.find(host: "127.0.0.1")
        let process = Process()
        process.executableURL = URL(filePath: Self.binary)
        process.arguments = [
            "serve", "--data-dir", directory, "--port", "\(port)", "--sandbox-port", "\(sandboxPort)",
            "--api-token", Self.token, "--log-level", "error",
            "--demo-locations", Self.repository.appending(path: "examples/franchise-25.csv").path,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return Serve(process: process, port: port)
    }

    /// Waits until `/health/ready` answers 200.
    private func waitUntilReady(_ serve: Serve, client: HTTPClient) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let response = try? await client.execute(
                HTTPClientRequest(url: serve.url + "/health/ready"),
                timeout: .seconds(2)
            ), response.status == .ok {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("the service did not become ready within 60 s")
    }

    /// Posts leads spread over the demo franchise's postal codes; returns how many were acknowledged.
    private func post(_ count: Int, to serve: Serve, client: HTTPClient, tag: String) async throws -> Int {
        let zips = ["78701", "78745", "75201", "77002", "33602", "32801", "30303", "85004", "80202", "80302"]
        return try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<count {
                group.addTask {
                    var request = HTTPClientRequest(url: serve.url + "/v1/leads")
                    request.method = .POST
                    request.headers.add(name: "Authorization", value: "Bearer \(Self.token)")
                    request.headers.add(name: "Content-Type", value: "application/json")
                    let body = """
                        {"postalCode":"\(zips[index % zips.count])","email":"\(tag)-\(index)@example.com",\
                        "firstName":"Lead \(index)","source":"shutdown-test"}
                        """
                    request.body = .bytes(ByteBuffer(string: body))
                    let response = try await client.execute(request, timeout: .seconds(30))
                    return response.status == .accepted
                }
            }
            var accepted = 0
            for try await ok in group where ok { accepted += 1 }
            return accepted
        }
    }

    @Test(
        "SIGTERM with a delivery backlog: exit 0 within 10 s, no claim left held, every assigned lead delivered once after a restart"
    )
    func boundedShutdown() async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            Issue.record("\(Self.binary) is not built")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appending(path: "sb-shutdown-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let sandboxPort = try FreePort.find(host: "127.0.0.1")
        let client = HTTPClient.shared

        let first = try start(directory, sandboxPort: sandboxPort)
        try await waitUntilReady(first, client: client)
        let accepted = try await post(600, to: first, client: client, tag: "backlog")
        #expect(accepted == 600)
        try await Task.sleep(for: .milliseconds(500))

        let stopping = ContinuousClock.now
        kill(first.process.processIdentifier, SIGTERM)
        while first.process.isRunning && ContinuousClock.now - stopping < .seconds(30) {
            try await Task.sleep(for: .milliseconds(20))
        }
        let took = ContinuousClock.now - stopping
        #expect(!first.process.isRunning)
        first.process.waitUntilExit()
        #expect(first.process.terminationStatus == 0)
        #expect(took <= .seconds(10), "shutdown took \(took)")

        // Every lead is stored; no job is left claimed (the next start takes them at once); delivery was not done.
        let store = try SQLiteStore(path: directory + "/switchboard.sqlite")
        let leads = try await store.leads(matching: LeadQuery(limit: 1_000)).leads
        #expect(leads.count == 600)
        var claimed = 0
        var pendingAtStop = 0
        for lead in leads {
            let jobs = try await store.jobs(ofLead: lead.id)
            claimed += jobs.filter { $0.status == .queued && $0.leaseExpiresAt != nil }.count
            if try await store.delivery(ofLead: lead.id)?.state == .pending { pendingAtStop += 1 }
        }
        #expect(claimed == 0, "\(claimed) jobs still held a lease after shutdown")

        // The next start finishes the backlog: each assigned lead is one contact in its sub-account.
        let second = try start(directory, sandboxPort: sandboxPort)
        try await waitUntilReady(second, client: client)
        let deadline = ContinuousClock.now + .seconds(180)
        var undelivered = Int.max
        while ContinuousClock.now < deadline {
            undelivered = 0
            for lead in leads where try await store.delivery(ofLead: lead.id)?.state != .delivered {
                if try await store.delivery(ofLead: lead.id) != nil { undelivered += 1 }
            }
            if undelivered == 0 { break }
            try await Task.sleep(for: .seconds(1))
        }
        #expect(undelivered == 0)
        kill(second.process.processIdentifier, SIGTERM)
        second.process.waitUntilExit()
        #expect(second.process.terminationStatus == 0)

        var assignedTo: [String: Int] = [:]
        for lead in try await store.leads(matching: LeadQuery(limit: 1_000)).leads {
            if let delivery = try await store.delivery(ofLead: lead.id) {
                assignedTo[delivery.ghlLocationID, default: 0] += 1
                let deadLetters = try await store.jobs(ofLead: lead.id).filter { $0.status == .dead }
                #expect(deadLetters.isEmpty, "dead letters: \(deadLetters.map { $0.lastError ?? "" })")
            }
        }
        let sandbox = try SandboxServer(configuration: .init(port: 0, dataDirectory: directory))
        for (subAccount, count) in assignedTo {
            #expect(try await sandbox.contactCount(locationID: subAccount) == count)
        }
        #expect(pendingAtStop > 0, "the test needs a backlog at the time of the signal")
    }

    @Test(
        "Ready means deliverable: not ready while the demo snapshots load; leads sent at once are delivered first time"
    )
    func readyMeansDeliverable() async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            Issue.record("\(Self.binary) is not built")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appending(path: "sb-ready-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let client = HTTPClient.shared
        let serve = try start(directory, sandboxPort: try FreePort.find(host: "127.0.0.1"))
        defer { kill(serve.process.processIdentifier, SIGKILL) }
        // Until the snapshots have loaded, readiness says so (503, naming the check).
        var sawLoading = false
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            guard
                let response = try? await client.execute(
                    HTTPClientRequest(url: serve.url + "/health/ready"),
                    timeout: .seconds(2)
                )
            else {
                try await Task.sleep(for: .milliseconds(20))
                continue
            }
            let body = String(buffer: try await response.body.collect(upTo: 65_536))
            if response.status == .ok { break }
            if body.contains("still loading their snapshot") { sawLoading = true }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(sawLoading, "readiness waited for the sandbox's snapshots")
        #expect(try await post(200, to: serve, client: client, tag: "first") == 200)

        let store = try SQLiteStore(path: directory + "/switchboard.sqlite")
        var settled = false
        while !settled && ContinuousClock.now < deadline + .seconds(60) {
            try await Task.sleep(for: .milliseconds(500))
            settled = true
            for lead in try await store.leads(matching: LeadQuery(limit: 1_000)).leads {
                if let delivery = try await store.delivery(ofLead: lead.id), delivery.state == .pending {
                    settled = false
                }
            }
        }
        #expect(settled)
        var retried: [String] = []
        for lead in try await store.leads(matching: LeadQuery(limit: 1_000)).leads {
            for job in try await store.jobs(ofLead: lead.id) where job.kind == .deliver {
                if job.status == .dead || job.attempts > 1 { retried.append(job.lastError ?? "") }
            }
        }
        #expect(retried.isEmpty, "the first leads needed retries: \(Set(retried))")
    }

    @Test("A second SIGTERM exits at once")
    func secondSignal() async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            Issue.record("\(Self.binary) is not built")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appending(path: "sb-signal-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let client = HTTPClient.shared
        let serve = try start(directory, sandboxPort: try FreePort.find(host: "127.0.0.1"))
        try await waitUntilReady(serve, client: client)
        _ = try await post(300, to: serve, client: client, tag: "twice")
        let stopping = ContinuousClock.now
        kill(serve.process.processIdentifier, SIGTERM)
        try await Task.sleep(for: .milliseconds(100))
        kill(serve.process.processIdentifier, SIGTERM)
        while serve.process.isRunning && ContinuousClock.now - stopping < .seconds(30) {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(!serve.process.isRunning)
        #expect(ContinuousClock.now - stopping < .seconds(2))
    }
}
