public import Foundation
public import HighLevel
public import LeadRouting
public import Storage

/// Plans and applies the onboarding of new locations (the seed's `LocationOnboardingManager`, done properly): per
/// location, the steps of ``RolloutStep`` in order, each recorded in the journal (``RolloutStore``) as it starts and
/// ends, so that an apply stopped at any point — a crash, Ctrl-C, `kill -9` — resumes where it stopped and never
/// creates a second sub-account. Locations go in waves; each wave must validate before the next starts.
public final class RolloutRunner: Sendable {
    private let client: HighLevelClient
    private let store: any SwitchboardStore
    private let options: RolloutOptions
    private let validator: RolloutValidator
    private let progress: @Sendable (RolloutProgress) -> Void
    private let now: @Sendable () -> Date

    public init(
        client: HighLevelClient,
        store: any SwitchboardStore,
        directory: PostalDirectory,
        options: RolloutOptions = RolloutOptions(),
        progress: @escaping @Sendable (RolloutProgress) -> Void = { _ in },
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.client = client
        self.store = store
        self.options = options
        self.validator = RolloutValidator(client: client, store: store, directory: directory, now: now)
        self.progress = progress
        self.now = now
    }

    /// Why an apply stopped before its wave.
    public enum GateError: Error, Sendable, CustomStringConvertible {
        case waveBelowThreshold(wave: Int, active: Int, total: Int, quarantined: [String], threshold: Double)

        public var description: String {
            switch self {
            case .waveBelowThreshold(let wave, let active, let total, let quarantined, let threshold):
                return "wave \(wave) validated \(active) of \(total) locations (the gate needs "
                    + "\(Int((threshold * 100).rounded())) %); quarantined: \(quarantined.joined(separator: ", ")). "
                    + "Fix them and run `switchboard rollout retry --quarantined`, or pass --force."
            }
        }
    }

    // MARK: Plan

    /// Compares the desired locations with GHL (sub-accounts by name, their custom fields and values) and
    /// Switchboard (routing, the journal), without changing anything.
    public func plan(_ specs: [OnboardingSpec]) async throws -> RolloutPlan {
        let records = try await store.rolloutRecords()
        let stored = try await storedLocations()
        let subAccounts = try await subAccountIDsByName()
        var entries: [RolloutPlan.Entry] = []
        for spec in specs {
            let record = records[spec.id]
            let existing = record?.ghlLocationID ?? subAccounts[spec.subAccount.name]
            if Self.isLive(stored[spec.id], record) {
                entries.append(
                    .init(
                        locationID: spec.id,
                        name: spec.subAccount.name,
                        state: "active",
                        actions: [],
                        ghlLocationID: stored[spec.id]?.ghlLocationID
                    )
                )
                continue
            }
            var actions: [String] = []
            let done = { (step: RolloutStep) in record?.steps[step.rawValue]?.status == .done }
            if existing == nil {
                actions.append(
                    "create sub-account '\(spec.subAccount.name)' with snapshot \(spec.subAccount.snapshotID ?? "none")"
                )
            }
            if !done(.loadSnapshot), spec.subAccount.snapshotID != nil {
                actions.append("wait for snapshot \(spec.subAccount.snapshotID ?? "") to load")
            }
            if !done(.configureSettings) { actions.append("set time zone \(spec.subAccount.timezone ?? "")") }
            var fieldsToCreate = spec.customFields.count
            var valuesToSet = spec.customValues.count
            if let existing {
                let fields = Set(try await client.customFields(locationID: existing).map(\.name))
                fieldsToCreate = spec.customFields.filter { !fields.contains($0.name) }.count
                let values = Dictionary(
                    try await client.customValues(locationID: existing).map { ($0.name, $0.value) },
                    uniquingKeysWith: { first, _ in first }
                )
                valuesToSet = spec.customValues.filter { values[$0.key] != $0.value }.count
            }
            if fieldsToCreate > 0 { actions.append("create \(fieldsToCreate) custom fields") }
            if valuesToSet > 0 { actions.append("set \(valuesToSet) custom values") }
            if stored[spec.id] == nil { actions.append("add to routing as onboarding") }
            actions.append("validate, then activate (or quarantine)")
            if existing == nil && !spec.integrations.isEmpty {
                actions.append(
                    "by hand in GHL (its API has no endpoint for them): switch on "
                        + spec.integrations.joined(separator: ", ")
                )
            }
            entries.append(
                .init(
                    locationID: spec.id,
                    name: spec.subAccount.name,
                    state: record.map { $0.state == .quarantined ? "quarantined" : "in-progress" } ?? "new",
                    actions: actions,
                    ghlLocationID: existing
                )
            )
        }
        return RolloutPlan(entries: entries)
    }

    /// Switchboard's locations by id.
    private func storedLocations() async throws -> [String: StoredLocation] {
        Dictionary(try await store.allLocations().map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The agency's sub-accounts: id by name (the first, if a name is used twice).
    private func subAccountIDsByName() async throws -> [String: String] {
        Dictionary(try await client.allSubAccounts().map { ($0.name, $0.id) }, uniquingKeysWith: { first, _ in first })
    }

    /// Already live: routed as active with its sub-account, and not part of an unfinished rollout.
    static func isLive(_ stored: StoredLocation?, _ record: RolloutRecord?) -> Bool {
        guard let stored, stored.ghlLocationID != nil, stored.location.status == .active else { return false }
        return record == nil || record?.state == .active
    }

    // MARK: Apply

    /// Onboards the selected wave(s); resumes any location left unfinished first.
    /// - Throws: ``GateError`` when the previous wave did not validate well enough (nothing of the new wave is
    ///   started then).
    public func apply(_ specs: [OnboardingSpec], wave selection: WaveSelection) async throws -> RolloutReport {
        let started = ContinuousClock.now
        var records = try await store.rolloutRecords()
        let stored = try await storedLocations()
        let pending = specs.filter { !Self.isLive(stored[$0.id], records[$0.id]) }
        let subAccounts = try await subAccountIDsByName()
        // Finish what an earlier apply left in progress.
        let unfinished = pending.filter { records[$0.id]?.state == .inProgress }
        if !unfinished.isEmpty {
            try await run(
                unfinished,
                records: &records,
                wave: unfinished.compactMap { records[$0.id]?.wave }.max() ?? 1,
                subAccounts: subAccounts
            )
        }
        var ranNewWave = false
        while true {
            let unassigned = pending.filter { records[$0.id] == nil }
            let lastWave =
                records.values.filter { record in specs.contains { $0.id == record.locationID } }
                .map(\.wave).max() ?? 0
            if unassigned.isEmpty { break }
            if selection == .pilot && lastWave >= 1 { break }
            if selection == .next && (ranNewWave || (!unfinished.isEmpty && lastWave >= 1)) { break }
            if lastWave >= 1 && !options.force {
                let previous = records.values.filter { $0.wave == lastWave }
                let active = previous.filter { $0.state == .active }.count
                if Double(active) < options.threshold * Double(previous.count) {
                    throw GateError.waveBelowThreshold(
                        wave: lastWave,
                        active: active,
                        total: previous.count,
                        quarantined: previous.filter { $0.state == .quarantined }.map(\.locationID).sorted(),
                        threshold: options.threshold
                    )
                }
            }
            let size = lastWave == 0 ? options.pilotSize : options.waveSize
            let wave = Array(unassigned.prefix(max(1, size)))
            for spec in wave {
                let record = RolloutRecord(locationID: spec.id, wave: lastWave + 1, updatedAt: now())
                records[spec.id] = record
                try await store.saveRolloutRecord(record)
            }
            try await run(wave, records: &records, wave: lastWave + 1, subAccounts: subAccounts)
            ranNewWave = true
            if selection != .all { break }
        }
        return try await report(specs, elapsed: ContinuousClock.now - started)
    }

    /// Runs the quarantined locations again from the step that failed.
    public func retryQuarantined(_ specs: [OnboardingSpec]) async throws -> RolloutReport {
        let started = ContinuousClock.now
        var records = try await store.rolloutRecords()
        let quarantined = specs.filter { records[$0.id]?.state == .quarantined }
        for spec in quarantined {
            guard var record = records[spec.id] else { continue }
            record.state = .inProgress
            record.failures = []
            record.steps = record.steps.filter { $0.value.status == .done }
            records[spec.id] = record
            try await store.saveRolloutRecord(record)
        }
        if !quarantined.isEmpty {
            let subAccounts = try await subAccountIDsByName()
            try await run(quarantined, records: &records, wave: 0, subAccounts: subAccounts)
        }
        return try await report(specs, elapsed: ContinuousClock.now - started)
    }

    /// Where every location of the file stands.
    public func report(_ specs: [OnboardingSpec], elapsed: Duration = .zero) async throws -> RolloutReport {
        let records = try await store.rolloutRecords()
        let stored = try await storedLocations()
        return RolloutReport(specs: specs, records: records, stored: stored, elapsed: elapsed)
    }

    private func run(
        _ specs: [OnboardingSpec],
        records: inout [String: RolloutRecord],
        wave: Int,
        subAccounts: [String: String]
    ) async throws {
        progress(.waveStarted(wave: wave, locations: specs.count))
        let snapshot = records
        let finished = try await withThrowingTaskGroup(of: RolloutRecord.self) { group in
            var results: [RolloutRecord] = []
            var iterator = specs.makeIterator()
            func addNext() {
                guard let spec = iterator.next() else { return }
                let record = snapshot[spec.id] ?? RolloutRecord(locationID: spec.id, wave: wave, updatedAt: now())
                group.addTask { try await self.onboard(spec, record: record, subAccounts: subAccounts) }
            }
            for _ in 0..<max(1, options.concurrency) { addNext() }
            while let record = try await group.next() {
                results.append(record)
                let calls = await client.limiters.calls
                let throttled = await client.limiters.throttledCount()
                progress(
                    .locationFinished(
                        record,
                        done: results.count,
                        total: specs.count,
                        calls: calls,
                        throttled: throttled
                    )
                )
                addNext()
            }
            return results
        }
        for record in finished { records[record.locationID] = record }
    }

    /// Runs one location's remaining steps; a failed step quarantines it.
    private func onboard(
        _ spec: OnboardingSpec,
        record start: RolloutRecord,
        subAccounts: [String: String]
    ) async throws -> RolloutRecord {
        var record = start
        for step in RolloutStep.allCases where record.steps[step.rawValue]?.status != .done {
            try Task.checkCancellation()
            progress(.stepStarted(locationID: spec.id, step: step))
            let began = ContinuousClock.now
            do {
                try await perform(step, for: spec, record: &record, subAccounts: subAccounts)
                let elapsed = ContinuousClock.now - began
                let seconds = elapsed.inSeconds
                if record.state == .quarantined {
                    record.steps[step.rawValue] = .init(
                        status: .failed,
                        detail: record.failures.joined(separator: "; "),
                        seconds: seconds
                    )
                } else {
                    record.steps[step.rawValue] = .init(status: .done, seconds: seconds)
                }
            } catch {
                // Stopped (Ctrl-C, a cancelled task) rather than failed: the journal keeps what it had, and the
                // next apply resumes here — a client error caused by the cancellation must not quarantine.
                if error is CancellationError || Task.isCancelled { throw CancellationError() }
                record.steps[step.rawValue] = .init(status: .failed, detail: "\(error)")
                record.state = .quarantined
                record.failures = ["\(step.rawValue): \(error)"]
                if let id = record.ghlLocationID {
                    var location = spec.location
                    location.status = .quarantined
                    if (try? await store.location(id: spec.id)) != nil {
                        try await store.saveLocation(
                            StoredLocation(location: location, ghlLocationID: id, updatedAt: now())
                        )
                    }
                }
            }
            record.updatedAt = now()
            try await store.saveRolloutRecord(record)
            if record.state == .quarantined { break }
        }
        return record
    }

    private func perform(
        _ step: RolloutStep,
        for spec: OnboardingSpec,
        record: inout RolloutRecord,
        subAccounts: [String: String]
    ) async throws {
        switch step {
        case .createSubAccount:
            if record.ghlLocationID != nil { return }
            if record.steps[step.rawValue]?.status == .pending {
                // An earlier create may have reached GHL without its answer being recorded: look before retrying.
                if let found = try await client.allSubAccounts().first(where: { $0.name == spec.subAccount.name }) {
                    record.ghlLocationID = found.id
                    return
                }
            } else if let existing = subAccounts[spec.subAccount.name] {
                record.ghlLocationID = existing
                return
            }
            record.steps[step.rawValue] = .init(status: .pending)
            record.updatedAt = now()
            try await store.saveRolloutRecord(record)
            record.ghlLocationID = try await client.createSubAccount(spec.subAccount).id
        case .loadSnapshot:
            guard let snapshot = spec.subAccount.snapshotID, let id = record.ghlLocationID else { return }
            let deadline = ContinuousClock.now + options.snapshotTimeout
            var status = ""
            while true {
                status = try await client.snapshotPushStatus(snapshotID: snapshot, locationID: id).status
                if ["completed", "complete", "success", "finished"].contains(status.lowercased()) { return }
                guard ContinuousClock.now + options.pollInterval <= deadline else { break }
                try await Task.sleep(for: options.pollInterval)
            }
            throw RolloutFailure(
                "snapshot \(snapshot) did not finish loading within \(options.snapshotTimeout) (last status: \(status))"
            )
        case .configureSettings:
            guard let id = record.ghlLocationID else { throw RolloutFailure("no sub-account") }
            _ = try await client.updateSubAccount(id: id, timezone: spec.subAccount.timezone)
        case .customFields:
            guard let id = record.ghlLocationID else { throw RolloutFailure("no sub-account") }
            let existing = Set(try await client.customFields(locationID: id).map(\.name))
            for field in spec.customFields where !existing.contains(field.name) {
                _ = try await client.createCustomField(
                    name: field.name,
                    dataType: field.dataType ?? "TEXT",
                    locationID: id
                )
            }
        case .customValues:
            guard let id = record.ghlLocationID else { throw RolloutFailure("no sub-account") }
            let existing = Dictionary(
                try await client.customValues(locationID: id).map { ($0.name, $0) },
                uniquingKeysWith: { first, _ in first }
            )
            for (name, value) in spec.customValues.sorted(by: { $0.key < $1.key }) {
                if let current = existing[name] {
                    if current.value != value {
                        _ = try await client.updateCustomValue(id: current.id, name: name, value: value, locationID: id)
                    }
                } else {
                    _ = try await client.createCustomValue(name: name, value: value, locationID: id)
                }
            }
        case .addToRouting:
            guard let id = record.ghlLocationID else { throw RolloutFailure("no sub-account") }
            var location = spec.location
            location.status = .onboarding
            try await store.saveLocation(StoredLocation(location: location, ghlLocationID: id, updatedAt: now()))
        case .validate:
            guard let id = record.ghlLocationID else { throw RolloutFailure("no sub-account") }
            let failures = await validator.failures(of: spec, subAccount: id)
            var location = spec.location
            location.status = failures.isEmpty ? .active : .quarantined
            try await store.saveLocation(StoredLocation(location: location, ghlLocationID: id, updatedAt: now()))
            record.state = failures.isEmpty ? .active : .quarantined
            record.failures = failures
        }
    }
}

/// A rollout step that could not be done, and why.
struct RolloutFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// What a running rollout reports as it goes.
public enum RolloutProgress: Sendable {
    case waveStarted(wave: Int, locations: Int)
    case stepStarted(locationID: String, step: RolloutStep)
    /// A location is done (active or quarantined); with the GHL calls made so far and how many were answered 429.
    case locationFinished(RolloutRecord, done: Int, total: Int, calls: Int, throttled: Int)
}

extension Duration {
    /// The duration in seconds.
    var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
