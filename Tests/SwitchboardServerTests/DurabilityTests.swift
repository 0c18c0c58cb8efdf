import Foundation
import GRDB
import HTTPTypes
import HummingbirdTesting
import LeadRouting
import Storage
import SwitchboardServer
import SwitchboardTesting
import Synchronization
import Testing

@Suite("Durability and time")
struct DurabilityTests {
    private func temporaryDatabase() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "switchboard-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent("switchboard.sqlite").path
    }

    @Test("Leads acknowledged before a restart are all there after it, and interrupted routing is finished")
    func restartKeepsEverything() async throws {
        let path = try temporaryDatabase()
        let roomy = [Fixtures.location("atx-downtown", zip: "78701", daily: 100)]
        let service = try await TestService(locations: roomy, store: try SQLiteStore(path: path))
        let acknowledged = try await service.test(.live) { client in
            var ids: [String] = []
            for index in 0..<50 {
                let response = try await client.api(
                    .post,
                    "/v1/leads",
                    json: #"{"postalCode":"7870\#(index % 5 + 1)"}"#
                )
                #expect(response.status == .accepted)
                ids.append(try #require(try response.json()["id"] as? String))
            }
            // Let this run finish its own routing, so the only unfinished jobs below are the orphans.
            try await client.routingSettled()
            return ids
        }
        // A crash between intake and routing: leads stored, their jobs claimed by a worker that then died.
        let crashed = try SQLiteStore(path: path)
        let orphans = (0..<5).map { index in
            Intake(record: LeadRecord(id: "orphan-\(index)", channel: "api", lead: Fixtures.lead("78703")))
        }
        _ = try await crashed.accept(orphans)
        let claimed = try await crashed.claimJobs(
            kind: .route,
            limit: 100,
            owner: "dead-worker",
            leaseFor: .seconds(30),
            now: Fixtures.mondayMorning
        )
        #expect(claimed.count == 5)

        let restarted = try await TestService(locations: roomy, store: try SQLiteStore(path: path))
        try await restarted.test(.live) { client in
            for id in acknowledged {
                let lead = try await client.api(.get, "/v1/leads/\(id)")
                #expect(lead.status == .ok)
            }
            // Still leased by the dead worker: not routed yet.
            try await Task.sleep(for: .milliseconds(200))
            #expect(try await client.api(.get, "/v1/leads/orphan-0").json()["status"] as? String == "received")
            // Once the lease lapses, the new worker routes them.
            restarted.clock.advance(by: 31)
            for orphan in orphans {
                let lead = try await client.routedLead(orphan.record.id)
                #expect(lead["status"] as? String == "assigned")
            }
        }
        let all = try await SQLiteStore(path: path).leads(matching: LeadQuery(limit: 500)).leads
        #expect(all.count == 55)
        #expect(all.allSatisfy { $0.status == .assigned })
    }

    @Test("Local midnight in the location's time zone resets its daily window")
    func midnightResetsTheDay() async throws {
        // 23:50 in Denver on Monday 2026-11-30 is 06:50 UTC on Tuesday.
        let beforeMidnight = Fixtures.date("2026-12-01T06:50:00Z")
        let service = try await TestService(
            locations: [Fixtures.location("denver", zip: "80202", daily: 2, timeZone: "America/Denver")],
            at: beforeMidnight
        )
        try await service.test { client in
            for _ in 0..<3 { _ = try await client.api(.post, "/v1/leads", json: #"{"postalCode":"80203"}"#) }
            try await client.routingSettled()
            let before = try await client.api(.get, "/v1/leads?status=assigned").json()
            #expect((before["leads"] as? [Any])?.count == 2)
            let report = try await client.api(.get, "/v1/capacity").json()
            let day = try #require(((report["locations"] as? [[String: Any]])?.first)?["day"] as? [String: Any])
            #expect(day["used"] as? Int == 2)
            #expect(day["resetsAt"] as? String == "2026-12-01T07:00:00Z")

            service.clock.set(Fixtures.date("2026-12-01T07:05:00Z"))  // 00:05 Tuesday in Denver
            let response = try await client.api(.post, "/v1/leads", json: #"{"postalCode":"80203"}"#)
            let id = try #require(try response.json()["id"] as? String)
            let lead = try await client.routedLead(id)
            #expect(lead["outcome"] as? String == "assigned")
            let after = try await client.api(.get, "/v1/capacity").json()
            let newDay = try #require(((after["locations"] as? [[String: Any]])?.first)?["day"] as? [String: Any])
            #expect(newDay["used"] as? Int == 1)
            #expect(newDay["resetsAt"] as? String == "2026-12-02T07:00:00Z")
        }
    }
}

@Suite("Back-pressure")
struct BackPressureTests {
    @Test("When the database stays locked, intake answers 429 with Retry-After (never 5xx) and nothing is lost")
    func lockedDatabaseAnswers429() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sb-lock-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("switchboard.sqlite").path
        let service = try await TestService(store: try SQLiteStore(path: path, busyTimeout: 0.2))
        // Another process holds the write lock for longer than the store waits.
        let other = try DatabaseQueue(path: path)
        try await service.test { client in
            // Held until both requests have been answered (a fixed hold could end early on a loaded machine).
            let release = Release()
            let locked = Task {
                try await other.writeWithoutTransaction { db in
                    try db.execute(sql: "BEGIN IMMEDIATE")
                    release.held.store(true, ordering: .releasing)
                    while !release.done.load(ordering: .acquiring) { Thread.sleep(forTimeInterval: 0.01) }
                    try db.execute(sql: "ROLLBACK")
                }
            }
            while !release.held.load(ordering: .acquiring) { try await Task.sleep(for: .milliseconds(5)) }
            let (body, signature) = try service.contactCreate(postalCode: "78703", webhookID: "locked-1")
            let webhook = try await client.webhook(body, signature: signature)
            #expect(webhook.status == .tooManyRequests)
            #expect(webhook.headers[.retryAfter] == "1")
            #expect(webhook.headers[.contentType] == "application/problem+json")
            let api = try await client.api(.post, "/v1/leads", json: #"{"postalCode":"78703"}"#)
            #expect(api.status == .tooManyRequests)
            release.done.store(true, ordering: .releasing)
            try await locked.value
            // GHL sends the webhook again: now it is stored (its id was not burnt by the failed attempt).
            let retried = try await client.webhook(body, signature: signature)
            #expect(retried.status == .ok)
        }
    }
}

/// A one-way signal between a test and a blocking closure.
private final class Release: Sendable {
    let held = Atomic<Bool>(false)
    let done = Atomic<Bool>(false)
}
