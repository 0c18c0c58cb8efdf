import Foundation
import HighLevel
import HighLevelSandbox
import LeadRouting
import Rollout
import RoutingFiles
import Storage
import SwitchboardTesting
import Synchronization
import Testing

@Suite("Rollout against the sandbox")
struct RolloutApplyTests {
    static let broken = SandboxSnapshot(
        id: "snap-broken",
        name: "Broken",
        workflows: [],
        pipelines: [],
        customFields: [:],
        neverLoads: true
    )

    /// The 25 live locations (in the sandbox and in the store, active) and the 75 to onboard, rendered.
    private func withFranchise(
        rateLimit: Int = 100,
        _ body:
            @Sendable (SandboxServer, SQLiteStore, HighLevelClient, [OnboardingSpec], [OnboardingSpec]) async throws
            -> Void
    ) async throws {
        let configuration = SandboxServer.Configuration(
            port: 0,
            snapshots: [.franchiseStandard, Self.broken],
            snapshotLoadDelay: .milliseconds(30),
            rateLimit: rateLimit
        )
        try await SandboxServer.withRunning(configuration) { sandbox, url in
            let live = try LocationsFile(
                contentsOf: RolloutFilesTests.example("franchise-25.csv"),
                directory: Fixtures.directory
            )
            let ids = try await sandbox.seed(
                subAccounts: live.locations.map { ($0.name, $0.postalCode?.text, $0.timeZoneIdentifier) },
                snapshotID: SandboxSnapshot.franchiseStandard.id
            )
            let store = try SQLiteStore()
            try await store.saveLocations(
                zip(live.locations, ids).map { StoredLocation(location: $0, ghlLocationID: $1, updatedAt: Date()) }
            )
            let file = try OnboardingFile(
                contentsOf: RolloutFilesTests.example("acquired-75.csv"),
                directory: Fixtures.directory
            )
            let template = try LocationTemplate(contentsOf: RolloutFilesTests.example("location-template.yml"))
            let acquired = try file.locations.map { try template.render(for: $0, file: file.file) }
            let existing = try live.entries.map { entry in
                try template.render(
                    for: OnboardingLocation(
                        location: entry.location,
                        values: entry.values.merging(
                            [
                                "snapshot": "snap-franchise-standard", "address": "1 Main St", "city": "X",
                                "state": "TX",
                                "phone": "+15550000000", "email": "gym@example.com", "website": "https://example.com",
                            ],
                            uniquingKeysWith: { first, _ in first }
                        ),
                        line: entry.line
                    ),
                    file: "franchise-25.csv"
                )
            }
            let client = HighLevelClient(
                configuration: .init(
                    baseURL: url,
                    companyID: sandbox.configuration.companyID,
                    credentials: .privateIntegration(token: sandbox.configuration.agencyToken),
                    rateLimit: rateLimit
                )
            )
            await sandbox.journal.clear()
            try await body(sandbox, store, client, existing, acquired)
        }
    }

    private func runner(
        _ client: HighLevelClient,
        _ store: SQLiteStore,
        _ options: RolloutOptions = RolloutOptions(snapshotTimeout: .seconds(2), pollInterval: .milliseconds(20)),
        progress: @escaping @Sendable (RolloutProgress) -> Void = { _ in }
    ) -> RolloutRunner {
        RolloutRunner(client: client, store: store, directory: Fixtures.directory, options: options, progress: progress)
    }

    @Test("The plan shows no change for the 25 live locations and the full set of steps for each of the 75")
    func planShowsOnlyTheNew() async throws {
        try await withFranchise { sandbox, store, client, existing, acquired in
            let plan = try await runner(client, store).plan(existing + acquired)
            #expect(plan.entries.count == 100)
            #expect(plan.entries.prefix(25).allSatisfy { !$0.changes })
            #expect(plan.changing == 75)
            let first = try #require(plan.entries.dropFirst(25).first)
            #expect(
                first.actions.first
                    == "create sub-account 'Summit Strength San Antonio Pearl' with snapshot snap-franchise-standard"
            )
            #expect(first.actions.contains("create 3 custom fields"))
            #expect(first.actions.contains("add to routing as onboarding"))
            #expect(
                first.actions.last
                    == "by hand in GHL (its API has no endpoint for them): switch on facebookLeadAds, googleBusinessProfile"
            )
            // Planning writes nothing, in GHL or in Switchboard.
            #expect(await sandbox.journal.entries().allSatisfy { $0.method == "GET" })
            #expect(try await store.rolloutRecords().isEmpty)
        }
    }

    @Test("Waves: the pilot, then the next gated wave; live locations untouched; a second plan shows no change")
    func wavesAndGate() async throws {
        try await withFranchise { sandbox, store, client, existing, acquired in
            let all = existing + acquired
            let pilot = try await runner(client, store).apply(all, wave: .pilot)
            #expect(pilot.count.active == 25 + 10)
            #expect(await sandbox.subAccountCount() == 25 + 10 + 0)
            let next = try await runner(client, store).apply(all, wave: .next)
            #expect(next.count.active == 25 + 25)
            #expect(next.entries.filter { $0.wave == 2 }.count == 15)
            // The new ones are routable now; the sub-account has its values.
            let stored = try #require(try await store.location(id: "sa-pearl"))
            #expect(stored.location.status == .active)
            let values = try await client.customValues(locationID: try #require(stored.ghlLocationID))
            #expect(values.first { $0.name == "location_id" }?.value == "sa-pearl")
            #expect(values.first { $0.name == "Business hours Saturday" }?.value == "07:00-19:00")
            // No write touched the 25 live sub-accounts.
            let liveIDs = Set(
                try await store.allLocations().filter { l in existing.contains { $0.id == l.id } }
                    .compactMap(\.ghlLocationID)
            )
            let writes = await sandbox.journal.entries().filter { $0.method != "GET" }
            #expect(!writes.contains { entry in liveIDs.contains { entry.path.contains($0) } })
            let plan = try await runner(client, store).plan(all)
            #expect(plan.changing == 50)
        }
    }

    @Test("A snapshot that never finishes quarantines the location with the reason, and closes the gate")
    func brokenSnapshotQuarantines() async throws {
        try await withFranchise { sandbox, store, client, _, acquired in
            var specs = Array(acquired.prefix(4))
            specs[1].subAccount.snapshotID = Self.broken.id
            let options = RolloutOptions(
                pilotSize: 3,
                waveSize: 1,
                snapshotTimeout: .milliseconds(300),
                pollInterval: .milliseconds(20)
            )
            let report = try await runner(client, store, options).apply(specs, wave: .pilot)
            #expect(report.count.active == 2)
            let quarantined = try #require(report.entries.first { $0.state == "quarantined" })
            #expect(quarantined.locationID == specs[1].id)
            #expect(quarantined.failures.first?.contains("snapshot snap-broken did not finish loading") == true)
            // It failed before joining routing: never routable.
            #expect(try await store.location(id: specs[1].id) == nil)
            do {
                _ = try await runner(client, store, options).apply(specs, wave: .next)
                Issue.record("the gate let the next wave start")
            } catch let gate as RolloutRunner.GateError {
                #expect(gate.description.contains("wave 1 validated 2 of 3"))
            }
            // Fixed in GHL (the snapshot loads after all): retry brings it in; then the gate opens.
            await sandbox.setSnapshotLoads(Self.broken.id)
            let retried = try await runner(client, store, options).retryQuarantined(specs)
            #expect(retried.count.quarantined == 1)  // still no workflows: automations check fails
            #expect(retried.entries[1].failures.first?.contains("automations") == true)
            var forced = options
            forced.force = true
            let next = try await runner(client, store, forced).apply(specs, wave: .next)
            #expect(next.entries[3].state == "active")
        }
    }

    @Test("A create whose answer was lost (journal says pending) is found in GHL, not made again")
    func pendingCreateIsReconciled() async throws {
        try await withFranchise { sandbox, store, client, _, acquired in
            let lost = acquired[0]
            let notSent = acquired[1]
            // The crash: both creates were journaled as pending; only the first reached GHL.
            let made = try await client.createSubAccount(lost.subAccount)
            for spec in [lost, notSent] {
                try await store.saveRolloutRecord(
                    RolloutRecord(
                        locationID: spec.id,
                        wave: 1,
                        steps: [RolloutStep.createSubAccount.rawValue: .init(status: .pending)],
                        updatedAt: Date()
                    )
                )
            }
            let report = try await runner(client, store).apply([lost, notSent], wave: .pilot)
            #expect(report.count.active == 2)
            #expect(report.entries[0].ghlLocationID == made.id)
            let creates = await sandbox.journal.entries(operation: "create-location").filter { $0.status < 300 }
            #expect(creates.count == 2)  // the one before the crash, and the one never sent
            #expect(await sandbox.subAccountCount() == 25 + 2)
        }
    }

    @Test("The 75 in waves, killed at 10 different points and resumed: 75 sub-accounts, none twice, all validated")
    func crashAndResume() async throws {
        try await withFranchise(rateLimit: 100_000) { sandbox, store, client, existing, acquired in
            let all = existing + acquired
            let options = RolloutOptions(
                snapshotTimeout: .seconds(10),
                pollInterval: .milliseconds(10),
                concurrency: 8
            )
            // Each run is stopped (its task cancelled, as Ctrl-C or a kill would) once a given number of steps
            // has started; the next run resumes. Ten stops at different points, then a run to the end.
            let killedAt = KillLog()
            for stopAfter in [3, 11, 19, 26, 34, 47, 58, 66, 79, 91] {
                let run = KillSwitch(after: stopAfter, log: killedAt)
                let task = Task { [self] in
                    try await runner(client, store, options, progress: run.observe).apply(all, wave: .all)
                }
                while !run.stopped.load(ordering: .relaxed) {
                    try await Task.sleep(for: .milliseconds(1))
                    if try await store.rolloutRecords().values.filter({ $0.state == .active }).count == 75 { break }
                }
                task.cancel()
                _ = try? await task.value
            }
            #expect(killedAt.entries.count == 10)
            #expect(Set(killedAt.entries.map { $0.split(separator: " ")[1] }).count >= 3)
            let report = try await runner(client, store, options).apply(all, wave: .all)
            #expect(report.count.active == 100)
            #expect(await sandbox.subAccountCount() == 100)
            for spec in acquired {
                #expect(await sandbox.subAccountID(named: spec.subAccount.name) != nil)
            }
            let creates = await sandbox.journal.entries(operation: "create-location").filter { $0.status < 300 }
            #expect(creates.count == 75)
            #expect(Set(report.entries.compactMap(\.wave)) == Set(1...6))
        }
    }
}

/// The steps at which runs were stopped.
final class KillLog: Sendable {
    private let list = Mutex<[String]>([])
    var entries: [String] { list.withLock { $0 } }
    func append(_ entry: String) { list.withLock { $0.append(entry) } }
}

/// Says "stop" once a run has started its n-th step (and logs which step that was).
final class KillSwitch: Sendable {
    let stopped = Atomic<Bool>(false)
    private let steps = Atomic<Int>(0)
    private let after: Int
    private let log: KillLog

    init(after: Int, log: KillLog) {
        self.after = after
        self.log = log
    }

    @Sendable func observe(_ event: RolloutProgress) {
        guard case .stepStarted(let location, let step) = event else { return }
        if steps.add(1, ordering: .relaxed).newValue == after {
            log.append("\(location) \(step.rawValue)")
            stopped.store(true, ordering: .relaxed)
        }
    }
}
