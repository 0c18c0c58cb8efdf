import AsyncHTTPClient
import Foundation
import LeadRouting
import NIOCore
import NIOHTTP1
import Storage
import Testing

@testable import SwitchboardCommands

#if canImport(Glibc)
import Glibc
#endif

/// `switchboard rollout apply` beside a running `serve` on the embedded default (same data directory): the new
/// gyms' sub-accounts must be made in the sandbox that serve delivers into, not in a second copy of its file.
@Suite("Rollout beside a running embedded serve")
struct EmbeddedRolloutTests {
    static let repository = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let binary = repository.appending(path: ".build/debug/switchboard").path
    static let token = "sb_embedded_rollout_token"

    @Test("Gyms onboarded by a separate rollout apply get leads delivered by the running service")
    func rolloutReachesTheRunningSandbox() async throws {
        let examples = Self.repository.appending(path: "examples")
        let directory = FileManager.default.temporaryDirectory.appending(path: "sb-beside-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let port = try FreePort.find(host: "127.0.0.1")
        let serve = Process()
        serve.executableURL = URL(filePath: Self.binary)
        serve.arguments = [
            "serve", "--data-dir", directory, "--port", "\(port)", "--sandbox-port", "0", "--api-token", Self.token,
            "--log-level", "error",
        ]
        // Started in a directory that is not the repository: the demo franchise comes from the binary itself.
        serve.currentDirectoryURL = URL(filePath: directory)
        serve.standardOutput = FileHandle.nullDevice
        serve.standardError = FileHandle.nullDevice
        try serve.run()
        defer {
            kill(serve.processIdentifier, SIGTERM)
            serve.waitUntilExit()
        }
        let base = "http://127.0.0.1:\(port)"
        let client = HTTPClient.shared
        func get(_ path: String) async throws -> (HTTPResponseStatus, [String: Any]) {
            var request = HTTPClientRequest(url: base + path)
            request.headers.add(name: "Authorization", value: "Bearer \(Self.token)")
            let response = try await client.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 1 << 22)
            return (
                response.status,
                (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
            )
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let (status, _) = try? await get("/health/ready"), status == .ok { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let (_, listed) = try await get("/v1/locations")
        #expect((listed["locations"] as? [[String: Any]])?.count == 25)
        // The service advertises its sandbox to commands on the same data directory.
        #expect(FileManager.default.fileExists(atPath: directory + "/ghl-sandbox.json"))

        let rows = try String(contentsOf: examples.appending(path: "acquired-75.csv"), encoding: .utf8)
            .split(separator: "\n").prefix(3).joined(separator: "\n")
        let file = FileManager.default.temporaryDirectory.appending(path: "sb-beside-\(UUID().uuidString).csv")
        try rows.write(to: file, atomically: true, encoding: .utf8)
        let apply = Process()
        apply.executableURL = URL(filePath: Self.binary)
        apply.arguments = [
            "rollout", "apply", "--wave", "all", "--locations", file.path, "--template",
            examples.appending(path: "location-template.yml").path, "--data-dir", directory, "--json",
        ]
        apply.standardOutput = FileHandle.nullDevice
        apply.standardError = FileHandle.nullDevice
        try apply.run()
        apply.waitUntilExit()
        #expect(apply.terminationStatus == 0)

        // The running service picks the new gyms up (its location watcher), then a lead at the new gym's code,
        // posted to it, lands in that gym's sub-account.
        let reloaded = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < reloaded {
            var preview = HTTPClientRequest(url: base + "/v1/route/preview")
            preview.method = .POST
            preview.headers.add(name: "Authorization", value: "Bearer \(Self.token)")
            preview.headers.add(name: "Content-Type", value: "application/json")
            preview.body = .bytes(ByteBuffer(string: #"{"postalCode":"78215"}"#))
            let answer = try await client.execute(preview, timeout: .seconds(30))
            let json = try await answer.body.collect(upTo: 1 << 20)
            let decided = (try? JSONSerialization.jsonObject(with: Data(json.readableBytesView))) as? [String: Any]
            if decided?["locationId"] as? String == "sa-pearl" { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        var request = HTTPClientRequest(url: base + "/v1/leads")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(Self.token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: #"{"postalCode":"78215","email":"pearl@example.com"}"#))
        let created = try await client.execute(request, timeout: .seconds(30))
        #expect(created.status == .accepted)
        let body = try await created.body.collect(upTo: 1 << 20)
        let id = try #require(
            ((try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any])?["id"]
                as? String
        )
        var lead: [String: Any] = [:]
        let delivered = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < delivered {
            lead = try await get("/v1/leads/\(id)").1
            if (lead["delivery"] as? [String: Any])?["state"] as? String == "delivered" { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect((lead["decision"] as? [String: Any])?["locationId"] as? String == "sa-pearl")
        #expect(
            (lead["delivery"] as? [String: Any])?["state"] as? String == "delivered",
            "\(lead["delivery"] ?? "none")"
        )
        // Only the service's own sandbox file exists: no second copy was made.
        let stored = try SQLiteStore(path: directory + "/switchboard.sqlite")
        #expect(try await stored.location(id: "sa-pearl")?.location.status == .active)
    }
}
