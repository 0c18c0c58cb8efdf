import ArgumentParser
import Foundation
import Hummingbird
import LeadRouting
import Logging
import Storage
import SwitchboardCommands
import SwitchboardServer
import SwitchboardTesting
import Testing

@Suite("switchboard leads import")
struct ImportLeadsCommandTests {
    static let sample = URL(filePath: #filePath).deletingLastPathComponent()
        .appending(path: "../../examples/leads-sample.csv").standardized.path()

    /// Runs the service on a free port for the duration of `body`.
    private func withService(_ body: @Sendable (String, SQLiteStore) async throws -> Void) async throws {
        let store = try SQLiteStore()
        try await store.saveLocations(
            [Fixtures.location("atx-downtown", zip: "78701", daily: 1_000)].map {
                StoredLocation(location: $0, updatedAt: Date())
            }
        )
        var logger = Logger(label: "test")
        logger.logLevel = .error
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let application = try await buildApplication(
            configuration: ServerConfiguration(port: 0, apiToken: "tok"),
            store: store,
            directory: Fixtures.directory,
            logger: logger,
            onServerRunning: { continuation.yield($0) }
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await application.runService(gracefulShutdownSignals: []) }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            try await body("http://127.0.0.1:\(port)", store)
            group.cancelAll()
        }
    }

    @Test("Every valid row is stored once through the intake; a second run stores nothing; refused rows are named")
    func importsOnce() async throws {
        try await withService { url, store in
            let first = try ImportLeadsCommand.parse([Self.sample, "--url", url, "--api-token", "tok"])
            await #expect(throws: ExitCode(1)) { try await first.run() }  // two rows have no postal code
            let stored = try await store.leads(matching: LeadQuery(limit: 500)).leads
            #expect(stored.count == 318)
            #expect(stored.allSatisfy { $0.channel == "import" })
            let again = try ImportLeadsCommand.parse([Self.sample, "--url", url, "--api-token", "tok"])
            await #expect(throws: ExitCode(1)) { try await again.run() }
            #expect(try await store.leads(matching: LeadQuery(limit: 500)).leads.count == 318)
        }
    }

    @Test("A wrong token or an unreachable service is a clear error, and a bad file is named with its line")
    func failures() async throws {
        try await withService { url, store in
            let wrongToken = try ImportLeadsCommand.parse([Self.sample, "--url", url, "--api-token", "nope"])
            await #expect(throws: (any Error).self) { try await wrongToken.run() }
            #expect(try await store.leads(matching: LeadQuery()).leads.isEmpty)
        }
        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).csv").path
        try "postal_code,score\n78701,50\n78702,high\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let command = try ImportLeadsCommand.parse([bad, "--url", "http://127.0.0.1:1", "--api-token", "tok"])
        do {
            try await command.run()
            Issue.record("a bad file was accepted")
        } catch {
            #expect("\(error)".contains("\(bad):3"))
            #expect("\(error)".contains("score"))
        }
    }

    @Test("deliveries: listing and replaying go through the API; replay needs --id or --since")
    func deliveriesCommands() async throws {
        try await withService { url, _ in
            let list = try DeliveriesCommand.DeadLetters.parse(["--url", url, "--api-token", "tok", "--json"])
            try await list.run()
            let replay = try DeliveriesCommand.Replay.parse(["--url", url, "--api-token", "tok", "--id", "7"])
            try await replay.run()
            let wrong = try DeliveriesCommand.Replay.parse(["--url", url, "--api-token", "nope", "--id", "7"])
            await #expect(throws: (any Error).self) { try await wrong.run() }
        }
        #expect(throws: (any Error).self) { try DeliveriesCommand.Replay.parse(["--api-token", "tok"]) }
        #expect(throws: (any Error).self) {
            try DeliveriesCommand.Replay.parse(["--api-token", "tok", "--id", "1", "--since", "2026-01-01T00:00:00Z"])
        }
        #expect(throws: (any Error).self) { try DeliveriesCommand.DeadLetters.parse(["--since", "yesterday"]) }
    }
}
