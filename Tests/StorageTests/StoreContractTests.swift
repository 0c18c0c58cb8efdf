import Foundation
import LeadRouting
import Storage
import SwitchboardTesting
import Testing

@Suite("Store contract (SQLite, and PostgreSQL when configured)")
struct StoreContractTests {

    @Test(
        "A lead is stored with its routing job; a repeated webhook id or idempotency key stores nothing",
        arguments: StoreKind.available
    )
    func intakeDeduplicates(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let results = try await store.accept([
                Fixtures.intake("a", webhookID: "w1"), Fixtures.intake("b", webhookID: "w1"),
                Fixtures.intake("c", key: "k1", digest: "x"),
            ])
            #expect(results == [.stored(leadID: "a"), .duplicate(leadID: "a"), .stored(leadID: "c")])
            #expect(try await store.accept([Fixtures.intake("d", key: "k1", digest: "x")]) == [.duplicate(leadID: "c")])
            #expect(try await store.accept([Fixtures.intake("e", key: "k1", digest: "y")]) == [.keyReused(leadID: "c")])
            #expect(try await store.lead(id: "b") == nil)
            #expect(try await store.lead(id: "a")?.status == .received)
            #expect(try await store.pendingJobCount(kind: .route) == 2)
        }
    }

    @Test("Concurrent takes never exceed the limit: 200 leads, 10 slots", arguments: StoreKind.available)
    func ledgerIsExactUnderConcurrency(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let ids = (0..<200).map { "lead-\($0)" }
            _ = try await store.accept(ids.map { Fixtures.intake($0) })
            let slot = CapacitySlot(locationID: "atx", day: 20_000, week: 2_857)
            let limits = SlotLimits(day: 10, week: 50)
            let results = try await withThrowingTaskGroup(of: SlotResult.self) { group in
                for id in ids {
                    group.addTask {
                        try await store.record(
                            Fixtures.assignment(id, to: "atx"),
                            forLead: id,
                            slot: slot,
                            limits: limits,
                            manual: false,
                            completing: nil,
                            at: Fixtures.mondayMorning
                        )
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.filter { if case .recorded = $0 { true } else { false } }.count == 10)
            #expect(results.filter { $0 == .full(CapacityUsage(today: 10, thisWeek: 10)) }.count == 190)
            #expect(try await store.usage(in: [slot])["atx"] == CapacityUsage(today: 10, thisWeek: 10))
            let assignedLeads = try await store.leads(matching: LeadQuery(status: .assigned, limit: 500)).leads
            #expect(assignedLeads.count == 10)
        }
    }

    @Test(
        "The weekly limit blocks too, and a blocked take leaves both windows as they were",
        arguments: StoreKind.available
    )
    func weeklyLimitRollsBackTheDay(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            _ = try await store.accept([Fixtures.intake("a"), Fixtures.intake("b")])
            let monday = CapacitySlot(locationID: "atx", day: 20_000, week: 2_857)
            let tuesday = CapacitySlot(locationID: "atx", day: 20_001, week: 2_857)
            let limits = SlotLimits(day: 5, week: 1)
            let first = try await store.record(
                Fixtures.assignment("a", to: "atx"),
                forLead: "a",
                slot: monday,
                limits: limits,
                manual: false,
                completing: nil,
                at: Fixtures.mondayMorning
            )
            #expect(first == .recorded(CapacityUsage(today: 1, thisWeek: 1)))
            let second = try await store.record(
                Fixtures.assignment("b", to: "atx"),
                forLead: "b",
                slot: tuesday,
                limits: limits,
                manual: false,
                completing: nil,
                at: Fixtures.mondayMorning
            )
            #expect(second == .full(CapacityUsage(today: 0, thisWeek: 1)))
            #expect(try await store.lead(id: "b")?.status == .received)
        }
    }

    @Test(
        "Reassigning releases the old slot; rejecting releases it; counts never go below zero",
        arguments: StoreKind.available
    )
    func releaseAndReassign(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            _ = try await store.accept([Fixtures.intake("a")])
            let atx = CapacitySlot(locationID: "atx", day: 20_000, week: 2_857)
            let dal = CapacitySlot(locationID: "dal", day: 20_000, week: 2_857)
            let limits = SlotLimits(day: 5, week: nil)
            _ = try await store.record(
                Fixtures.assignment("a", to: "atx"),
                forLead: "a",
                slot: atx,
                limits: limits,
                manual: false,
                completing: nil,
                at: Fixtures.mondayMorning
            )
            _ = try await store.record(
                Fixtures.assignment("a", to: "dal"),
                forLead: "a",
                slot: dal,
                limits: limits,
                manual: true,
                completing: nil,
                at: Fixtures.mondayMorning
            )
            var usage = try await store.usage(in: [atx, dal])
            #expect(usage["atx"] == CapacityUsage(today: 0, thisWeek: 0))
            #expect(usage["dal"] == CapacityUsage(today: 1, thisWeek: 1))
            #expect(try await store.lead(id: "a")?.assignedManually == true)
            #expect(try await store.releaseSlot(ofLead: "a"))
            #expect(try await !store.releaseSlot(ofLead: "a"))
            usage = try await store.usage(in: [atx, dal])
            #expect(usage["dal"] == CapacityUsage(today: 0, thisWeek: 0))
        }
    }

    @Test("Recording the same slot twice (a re-run after a crash) takes it once", arguments: StoreKind.available)
    func recordingIsIdempotentForTheSameSlot(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            _ = try await store.accept([Fixtures.intake("a")])
            let slot = CapacitySlot(locationID: "atx", day: 20_000, week: 2_857)
            for _ in 0..<3 {
                _ = try await store.record(
                    Fixtures.assignment("a", to: "atx"),
                    forLead: "a",
                    slot: slot,
                    limits: SlotLimits(day: 5, week: nil),
                    manual: false,
                    completing: nil,
                    at: Fixtures.mondayMorning
                )
            }
            #expect(try await store.usage(in: [slot])["atx"] == CapacityUsage(today: 1, thisWeek: 1))
        }
    }

    @Test(
        "Leads list newest first, filtered, a page at a time, without gaps or repeats",
        arguments: StoreKind.available
    )
    func pagination(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let intakes = (0..<25).map { index in
                Intake(
                    record: LeadRecord(
                        id: String(format: "lead-%02d", index),
                        channel: "api",
                        lead: Fixtures.lead("78701", at: Fixtures.mondayMorning.addingTimeInterval(Double(index / 2)))
                    )
                )
            }
            _ = try await store.accept(intakes)
            var seen: [String] = []
            var cursor: LeadCursor?
            repeat {
                let page = try await store.leads(matching: LeadQuery(limit: 7, after: cursor))
                seen += page.leads.map(\.id)
                cursor = try page.next.map { try #require(LeadCursor(text: $0.text)) }
            } while cursor != nil
            #expect(seen == intakes.map(\.record.id).reversed())
            let since = try await store.leads(
                matching: LeadQuery(since: Fixtures.mondayMorning.addingTimeInterval(11), limit: 50)
            )
            #expect(since.leads.map(\.id) == ["lead-24", "lead-23", "lead-22"])
        }
    }

    @Test("A claimed job is not claimed again until its lease lapses; a done job never", arguments: StoreKind.available)
    func jobLeases(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            _ = try await store.accept([Fixtures.intake("a"), Fixtures.intake("b")])
            let now = Fixtures.mondayMorning
            let first = try await store.claimJobs(
                kind: .route,
                limit: 10,
                owner: "w1",
                leaseFor: .seconds(30),
                now: now
            )
            #expect(first.map(\.leadID) == ["a", "b"])
            let second = try await store.claimJobs(
                kind: .route,
                limit: 10,
                owner: "w2",
                leaseFor: .seconds(30),
                now: now.addingTimeInterval(10)
            )
            #expect(second.isEmpty)
            try await store.completeJob(JobClaim(id: first[0].id, owner: "w1"), at: now)
            let later = try await store.claimJobs(
                kind: .route,
                limit: 10,
                owner: "w2",
                leaseFor: .seconds(30),
                now: now.addingTimeInterval(31)
            )
            #expect(later.map(\.leadID) == ["b"])
            #expect(later.first?.attempts == 2)
        }
    }

    @Test(
        "Sticky history finds the latest assignment by email or phone within the window",
        arguments: StoreKind.available
    )
    func stickyHistory(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            _ = try await store.accept([Fixtures.intake("a")])
            _ = try await store.record(
                Fixtures.assignment("a", to: "atx"),
                forLead: "a",
                slot: CapacitySlot(locationID: "atx", day: 1, week: 1),
                limits: .unlimited,
                manual: false,
                completing: nil,
                at: Fixtures.mondayMorning
            )
            let repeatLead = Fixtures.lead("78701", email: "A@Example.com ")
            let history = try await store.recentAssignments(
                for: repeatLead.contactKeys,
                since: Fixtures.mondayMorning.addingTimeInterval(-86_400)
            )
            #expect(history.previousAssignment(of: repeatLead, withinDays: 90)?.locationID == "atx")
            let tooLate = try await store.recentAssignments(
                for: repeatLead.contactKeys,
                since: Fixtures.mondayMorning.addingTimeInterval(1)
            )
            #expect(tooLate.previousAssignment(of: repeatLead, withinDays: 90) == nil)
        }
    }

    @Test(
        "Locations round-trip with every routing field; a second insert of an id is a conflict",
        arguments: StoreKind.available
    )
    func locationsRoundTrip(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let location = Fixtures.location(
                "atx",
                zip: "78701",
                daily: 40,
                weekly: 200,
                reservedForHot: 5,
                radius: 20,
                priority: 2,
                territory: ["78701", "78702"],
                hours: "mon-fri 05:00-22:00; sat-sun 07:00-19:00"
            )
            let stored = StoredLocation(location: location, ghlLocationID: "ghl-1", updatedAt: Fixtures.mondayMorning)
            try await store.insertLocation(stored)
            #expect(try await store.location(id: "atx") == stored)
            await #expect(throws: StoreError.conflict("location 'atx' already exists")) {
                try await store.insertLocation(stored)
            }
        }
    }

    @Test("A SQLite database file flushes every commit to disk (synchronous = FULL) and keeps what was committed")
    func fileStoreIsDurable() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("s-\(UUID().uuidString).sqlite").path
        let file = try SQLiteStore(path: path)
        #expect(try await file.synchronousSetting() == 2)
        _ = try await file.accept([Fixtures.intake("a")])
        #expect(try await SQLiteStore(path: path).lead(id: "a") != nil)
    }
}

@Suite("Lead cursors")
struct LeadCursorTests {
    @Test("a cursor's text reads back, whatever its lead id; anything else is refused")
    func roundTrip() throws {
        for id in ["ld_01a2", "🏻x", "\u{301}", "a_b"] {
            let cursor = LeadCursor(receivedAt: Date(timeIntervalSince1970: 1_796_040_000.5), leadID: id)
            #expect(LeadCursor(text: cursor.text) == cursor)
        }
        #expect(LeadCursor(text: "-703312641_\u{1F3FB}Ç")?.leadID == "\u{1F3FB}Ç")
        for bad in ["", "_x", "12", "12_", "+5_x", "1234567890123456789_x", "x_y"] {
            #expect(LeadCursor(text: bad) == nil, "\(bad)")
        }
    }
}
