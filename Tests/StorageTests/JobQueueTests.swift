import Foundation
import LeadRouting
import Storage
import SwitchboardTesting
import Testing

@Suite("Job queue")
struct JobQueueTests {
    let now = Fixtures.mondayMorning

    private func claim(
        _ store: any SwitchboardStore,
        _ owner: String,
        at date: Date? = nil,
        lease: Duration = .seconds(30)
    ) async throws -> [Job] {
        try await store.claimJobs(kind: .deliver, limit: 10, owner: owner, leaseFor: lease, now: date ?? now)
    }

    @Test(
        "Finishing a step queues the next in the same transaction; a worker whose claim was lost writes nothing",
        arguments: StoreKind.available
    )
    func stepsChainAndLostClaimsWriteNothing(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await store.enqueue([NewJob(kind: .deliver, leadID: "a", step: "contact", runAt: now)], at: now)
            let first = try #require(try await claim(store, "w1").first)
            #expect(first.step == "contact")
            // The lease lapses; another worker takes the job.
            let taken = try await claim(store, "w2", at: now.addingTimeInterval(31))
            #expect(taken.map(\.id) == [first.id])
            #expect(try await !store.finish(first.id, owner: "w1", then: [], recording: nil, at: now))
            let next = NewJob(kind: .deliver, leadID: "a", step: "opportunity", runAt: now)
            #expect(
                try await store.finish(
                    first.id,
                    owner: "w2",
                    then: [next],
                    recording: nil,
                    at: now.addingTimeInterval(32)
                )
            )
            let jobs = try await store.jobs(ofLead: "a")
            #expect(jobs.map(\.step) == ["contact", "opportunity"])
            #expect(jobs.map(\.status) == [.done, .queued])
        }
    }

    @Test(
        "The longest-due jobs are claimed first, whatever order they were queued in; jobs not yet due wait",
        arguments: StoreKind.available
    )
    func claimsLongestDueFirst(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await store.enqueue(
                [
                    NewJob(kind: .deliver, leadID: "due-now", runAt: now),
                    NewJob(kind: .deliver, leadID: "due-20s-ago", runAt: now.addingTimeInterval(-20)),
                    NewJob(kind: .deliver, leadID: "due-40s-ago", runAt: now.addingTimeInterval(-40)),
                    NewJob(kind: .deliver, leadID: "due-later", runAt: now.addingTimeInterval(60)),
                ],
                at: now
            )
            let first = try await store.claimJobs(
                kind: .deliver,
                limit: 2,
                owner: "w1",
                leaseFor: .seconds(30),
                now: now
            )
            #expect(Set(first.compactMap(\.leadID)) == ["due-40s-ago", "due-20s-ago"])
            let second = try await claim(store, "w1")
            #expect(second.compactMap(\.leadID) == ["due-now"])
            for job in first + second { try await store.completeJob(JobClaim(id: job.id, owner: "w1"), at: now) }
            #expect(try await claim(store, "w1", at: now.addingTimeInterval(61)).compactMap(\.leadID) == ["due-later"])
        }
    }

    @Test("A heartbeat keeps the lease; without it the job goes to another worker", arguments: StoreKind.available)
    func heartbeats(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await store.enqueue([NewJob(kind: .deliver, leadID: "a", step: "contact", runAt: now)], at: now)
            let job = try #require(try await claim(store, "w1").first)
            #expect(
                try await store.heartbeat(job.id, owner: "w1", leaseFor: .seconds(30), now: now.addingTimeInterval(25))
            )
            #expect(try await claim(store, "w2", at: now.addingTimeInterval(40)).isEmpty)
            #expect(try await claim(store, "w2", at: now.addingTimeInterval(56)).count == 1)
            #expect(
                try await !store.heartbeat(job.id, owner: "w1", leaseFor: .seconds(30), now: now.addingTimeInterval(57))
            )
        }
    }

    @Test(
        "A throttled retry gives the attempt back; a counted one keeps it; the job waits until it is due",
        arguments: StoreKind.available
    )
    func retries(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await store.enqueue([NewJob(kind: .deliver, leadID: "a", step: "contact", runAt: now)], at: now)
            var job = try #require(try await claim(store, "w1").first)
            #expect(job.attempts == 1)
            #expect(
                try await store.retry(
                    job.id,
                    owner: "w1",
                    at: now.addingTimeInterval(10),
                    countsAsAttempt: false,
                    error: "429",
                    now: now
                )
            )
            #expect(try await claim(store, "w1", at: now.addingTimeInterval(5)).isEmpty)
            job = try #require(try await claim(store, "w1", at: now.addingTimeInterval(10)).first)
            #expect(job.attempts == 1)
            #expect(job.lastError == "429")
            _ = try await store.retry(
                job.id,
                owner: "w1",
                at: now.addingTimeInterval(20),
                countsAsAttempt: true,
                error: "502",
                now: now
            )
            job = try #require(try await claim(store, "w1", at: now.addingTimeInterval(20)).first)
            #expect(job.attempts == 2)
        }
    }

    @Test(
        "Dead letters are listed with their reason and replayed with fresh attempts, by id or since a time",
        arguments: StoreKind.available
    )
    func deadLetters(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await store.enqueue(
                ["a", "b", "c"].map { NewJob(kind: .deliver, leadID: $0, step: "contact", runAt: now) },
                at: now
            )
            let jobs = try await claim(store, "w1")
            for (index, job) in jobs.enumerated() {
                #expect(
                    try await store.deadLetter(
                        job.id,
                        owner: "w1",
                        reason: "422 email invalid",
                        recording: nil,
                        at: now.addingTimeInterval(Double(index))
                    )
                )
            }
            let dead = try await store.deadLetters(kind: .deliver, since: nil, limit: 10)
            #expect(dead.map(\.leadID) == ["c", "b", "a"])
            #expect(dead.allSatisfy { $0.status == .dead && $0.lastError == "422 email invalid" })
            #expect(try await claim(store, "w1", at: now.addingTimeInterval(100)).isEmpty)

            #expect(try await store.replayDeadLetters(kind: .deliver, ids: [dead[2].id], since: nil, at: now) == 1)
            #expect(
                try await store.replayDeadLetters(kind: .deliver, ids: nil, since: now.addingTimeInterval(1), at: now)
                    == 2
            )
            let again = try await claim(store, "w2", at: now.addingTimeInterval(1))
            #expect(Set(again.compactMap(\.leadID)) == ["a", "b", "c"])
            #expect(again.allSatisfy { $0.attempts == 1 })
            #expect(try await store.deadLetters(kind: .deliver, since: nil, limit: 10).isEmpty)
        }
    }
}
