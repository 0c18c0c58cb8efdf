public import Foundation
public import LeadRouting
public import Storage

/// Routes stored leads with the core policy against the stored locations, taking capacity through the store's
/// conditional ledger. Keeps a mirror of the ledger to decide without a query per candidate; when the mirror is
/// stale (another process took the slot) the store refuses the take, the mirror is corrected and the lead is
/// decided again — so the ledger stays exact whatever the mirror says.
public actor LeadRouter {
    private let store: any SwitchboardStore
    private let directory: PostalDirectory
    public let policy: RoutingPolicy
    private let metrics: ServiceMetrics
    private let now: @Sendable () -> Date
    private var engine: RoutingEngine
    private var ghlLocationIDs: [String: String] = [:]
    private var ledger = CapacityLedger()
    /// The store's locations version the engine was built from (see ``LocationWatcher``).
    public private(set) var loadedLocationsVersion: Int64 = -1
    /// Whether assigned leads are queued for delivery into GHL (when their location has a sub-account).
    private let delivers: Bool
    /// Called after delivery jobs were queued.
    private let onDeliveryQueued: @Sendable () -> Void
    /// Where routing outcomes are announced (notification webhooks).
    private let events: any LeadEventOutbox

    public init(
        store: any SwitchboardStore,
        directory: PostalDirectory,
        policy: RoutingPolicy,
        metrics: ServiceMetrics,
        delivers: Bool = false,
        onDeliveryQueued: @escaping @Sendable () -> Void = {},
        events: any LeadEventOutbox = SilentOutbox(),
        now: @escaping @Sendable () -> Date
    ) async throws {
        self.events = events
        self.delivers = delivers
        self.onDeliveryQueued = onDeliveryQueued
        self.store = store
        self.directory = directory
        self.policy = policy
        self.metrics = metrics
        self.now = now
        loadedLocationsVersion = try await store.locationsVersion()
        let stored = try await store.allLocations()
        self.engine = try RoutingEngine(locations: stored.map(\.location), directory: directory, policy: policy)
        self.ghlLocationIDs = Dictionary(
            uniqueKeysWithValues: stored.compactMap { s in s.ghlLocationID.map { (s.id, $0) } }
        )
        try await refreshLedger()
    }

    /// The engine routing currently uses.
    public var currentEngine: RoutingEngine { engine }

    /// Checks that a set of locations can be routed (placeable, known time zones, consistent capacity) without
    /// changing anything. - Throws: ``RoutingError``.
    public func validate(_ locations: [Location]) throws(RoutingError) {
        _ = try RoutingEngine(locations: locations, directory: directory, policy: policy)
    }

    /// Rebuilds the engine from the stored locations (after they changed) and reloads the ledger mirror.
    public func reloadLocations() async throws {
        // The version first: a change made while the locations are read is seen by the next check.
        let version = try await store.locationsVersion()
        let stored = try await store.allLocations()
        engine = try RoutingEngine(locations: stored.map(\.location), directory: directory, policy: policy)
        ghlLocationIDs = Dictionary(uniqueKeysWithValues: stored.compactMap { s in s.ghlLocationID.map { (s.id, $0) } })
        loadedLocationsVersion = version
        try await refreshLedger()
    }

    /// Every location routing knows, with its usage in its current local windows, read from the store (the
    /// capacity report and the per-location metrics).
    public func currentUsage() async throws -> [(location: Location, usage: CapacityUsage)] {
        let date = now()
        let slots = engine.locations.compactMap { location in
            engine.windows(ofLocationWithID: location.id, at: date).map {
                CapacitySlot(locationID: location.id, windows: $0)
            }
        }
        let usage = try await store.usage(in: slots)
        return engine.locations.map { ($0, usage[$0.id] ?? CapacityUsage()) }
    }

    /// Reloads every location's usage in its current windows from the store.
    public func refreshLedger() async throws {
        let date = now()
        let slots = engine.locations.compactMap { location in
            engine.windows(ofLocationWithID: location.id, at: date).map {
                CapacitySlot(locationID: location.id, windows: $0)
            }
        }
        let usage = try await store.usage(in: slots)
        var fresh = CapacityLedger()
        for slot in slots {
            guard let windows = engine.windows(ofLocationWithID: slot.locationID, at: date) else { continue }
            fresh.setUsage(usage[slot.locationID] ?? CapacityUsage(), of: slot.locationID, in: windows)
        }
        ledger = fresh
    }

    /// Routes a batch of stored leads and records their decisions (completing their routing jobs) in one
    /// transaction. Within the batch, each assignment counts against capacity and sticky history for the leads
    /// after it; a lead whose slot another process took meanwhile is decided again.
    /// - Returns: The decisions, by lead id (leads unknown or already routed are left out; their jobs complete).
    @discardableResult
    public func route(_ jobs: [(leadID: String, job: JobClaim?)]) async throws -> [String: RoutingDecision] {
        let started = ContinuousClock.now
        let records = try await store.leads(ids: jobs.map(\.leadID))
        var pending: [(lead: Lead, leadID: String, job: JobClaim?)] = []
        for (leadID, job) in jobs {
            guard let record = records[leadID], record.status == .received else {
                if let job { try await store.completeJob(job, at: now()) }
                continue
            }
            var lead = record.lead
            lead.id = leadID
            pending.append((lead, leadID, job))
        }
        var decided: [String: RoutingDecision] = [:]
        // Each round fixes the mirror for the locations that refused a slot, so this ends; the bound guards a bug.
        for _ in 0..<(engine.locations.count * 2 + 4) where !pending.isEmpty {
            let earliest = pending.map(\.lead.arrivedAt).min() ?? now()
            var history = try await store.recentAssignments(
                for: Array(Set(pending.flatMap(\.lead.contactKeys))),
                since: earliest.addingTimeInterval(-Double(policy.stickyDays) * 86_400)
            )
            var tentative = ledger
            var batch: [DecisionRecord] = []
            for item in pending {
                let decision = engine.decide(item.lead, ledger: tentative, history: history)
                var slot: CapacitySlot?
                var limits = SlotLimits.unlimited
                if decision.outcome == .assigned, let locationID = decision.locationID, let windows = decision.windows,
                    let location = engine.location(withID: locationID)
                {
                    slot = CapacitySlot(locationID: locationID, windows: windows)
                    limits = SlotLimits(location.capacity, hotLead: decision.hotLead)
                    tentative.take(locationID, limits: location.capacity, hotLead: decision.hotLead, in: windows)
                    history.record(item.lead, assignedTo: locationID)
                }
                var record = DecisionRecord(
                    decision,
                    forLead: item.leadID,
                    slot: slot,
                    limits: limits,
                    completing: item.job
                )
                addFollowUp(to: &record)
                batch.append(record)
            }
            let results = try await store.record(batch, at: now())
            var refused: [(lead: Lead, leadID: String, job: JobClaim?)] = []
            for (item, (record, result)) in zip(pending, zip(batch, results)) {
                switch result {
                case .recorded(let usage):
                    if let slot = record.slot, let usage, let windows = record.decision.windows {
                        mirror(usage, of: slot.locationID, in: windows)
                    }
                    decided[item.leadID] = record.decision
                case .full(let usage):
                    if let slot = record.slot, let windows = record.decision.windows {
                        ledger.setUsage(usage, of: slot.locationID, in: windows)
                    }
                    refused.append(item)
                case .claimLost:
                    // Another worker took the job after this one's lease lapsed: its decision stands.
                    continue
                }
            }
            pending = refused
        }
        if !pending.isEmpty {
            throw StoreError.unavailable("capacity kept changing while routing \(pending.count) leads")
        }
        if delivers && decided.values.contains(where: { $0.outcome == .assigned }) { onDeliveryQueued() }
        if !decided.isEmpty { events.didQueue() }
        let elapsed = ContinuousClock.now - started
        let nanoseconds = elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
        for decision in decided.values {
            metrics.leadRouted(outcome: decision.outcome, nanoseconds: nanoseconds / Int64(max(1, decided.count)))
        }
        return decided
    }

    /// Decides a lead without storing anything or using capacity (the preview endpoint).
    public func preview(_ lead: Lead) async throws -> RoutingDecision {
        let history = try await store.recentAssignments(
            for: lead.contactKeys,
            since: lead.arrivedAt.addingTimeInterval(-Double(policy.stickyDays) * 86_400)
        )
        try await refreshLedger()
        return engine.decide(lead, ledger: ledger, history: history)
    }

    /// Why a manual assignment was refused.
    public enum AssignmentError: Error, Sendable, Equatable {
        case unknownLead(String)
        case unknownLocation(String)
        case full(locationID: String, usage: CapacityUsage, limits: CapacityLimits)
    }

    /// Assigns a lead by hand (from the review queue, or away from its location), through the ledger: the slot is
    /// taken in the location's windows now, and a slot the lead held is given back.
    /// - Parameter overrideCapacity: Take the slot even when the location is full.
    public func assign(
        leadID: String,
        to locationID: String,
        overrideCapacity: Bool,
        note: String?
    ) async throws
        -> RoutingDecision
    {
        guard let record = try await store.lead(id: leadID) else { throw AssignmentError.unknownLead(leadID) }
        guard let location = engine.location(withID: locationID),
            let windows = engine.windows(ofLocationWithID: locationID, at: now())
        else { throw AssignmentError.unknownLocation(locationID) }
        let hot = (record.lead.score ?? 0) >= policy.hotScoreThreshold
        var distance: Double?
        if let point = engine.point(ofLocationWithID: locationID) {
            let preview = engine.decide(record.lead, ledger: ledger)
            if let leadPoint = preview.explanation.point?.coordinate {
                distance = (leadPoint.distanceMiles(to: point) * 10).rounded() / 10
            }
        }
        var notes = ["assigned by hand to \(locationID)" + (overrideCapacity ? ", over its capacity" : "")]
        if let previous = record.decision?.locationID, previous != locationID { notes.append("was \(previous)") }
        if let note, !note.isEmpty { notes.append(note) }
        let decision = RoutingDecision(
            leadID: leadID,
            outcome: .assigned,
            locationID: locationID,
            distanceMiles: distance,
            hotLead: hot,
            windows: windows,
            explanation: RoutingExplanation(point: record.decision?.explanation.point, rule: .manual, notes: notes)
        )
        let slot = CapacitySlot(locationID: locationID, windows: windows)
        var assignment = DecisionRecord(
            decision,
            forLead: leadID,
            slot: slot,
            limits: overrideCapacity ? .unlimited : SlotLimits(location.capacity, hotLead: hot),
            manual: true
        )
        addFollowUp(to: &assignment)
        let result = try await store.record([assignment], at: now())[0]
        switch result {
        case .recorded(let usage):
            if let usage { mirror(usage, of: locationID, in: windows) }
            if assignment.delivery != nil { onDeliveryQueued() }
            events.didQueue()
            try await refreshLedger()
            return decision
        case .full(let usage):
            ledger.setUsage(usage, of: locationID, in: windows)
            throw AssignmentError.full(locationID: locationID, usage: usage, limits: location.capacity)
        case .claimLost:
            // A manual assignment completes no job.
            throw StoreError.conflict("the assignment of lead '\(leadID)' was overtaken")
        }
    }

    /// Re-routes a lead its location did not work in time: decided again now (an open location preferred) with
    /// every location that already had it excluded, the slot taken at the new one and given back at the old, the
    /// delivery to the new one queued, and the breach and the re-route announced — in one transaction.
    /// - Parameters:
    ///   - job: The SLA job this completes (only while its claim holds), and `followUp` more work queued with it.
    /// - Returns: The new decision, or `nil` when no other location can take the lead.
    public func reroute(
        leadID: String,
        excluding tried: Set<String>,
        reason: String,
        completing job: JobClaim?,
        followUp: [NewJob]
    ) async throws -> RoutingDecision? {
        guard let record = try await store.lead(id: leadID) else { return nil }
        var lead = record.lead
        lead.id = leadID
        lead.arrivedAt = now()
        for _ in 0..<(engine.locations.count + 2) {
            try await refreshLedger()
            var decision = engine.decide(lead, ledger: ledger, excluding: tried, hours: .requireOpen)
            guard decision.outcome == .assigned, let locationID = decision.locationID,
                let windows = decision.windows, let location = engine.location(withID: locationID)
            else { return nil }
            decision.explanation.notes.append(reason)
            let slot = CapacitySlot(locationID: locationID, windows: windows)
            var reroute = DecisionRecord(
                decision,
                forLead: leadID,
                slot: slot,
                limits: SlotLimits(location.capacity, hotLead: decision.hotLead),
                completing: job
            )
            addFollowUp(to: &reroute)
            reroute.followUp +=
                events.jobs(announcing: .slaBreached, leadID: leadID, at: now())
                + events.jobs(announcing: .rerouted, leadID: leadID, at: now()) + followUp
            switch try await store.record([reroute], at: now())[0] {
            case .recorded(let usage):
                if let usage { mirror(usage, of: locationID, in: windows) }
                if reroute.delivery != nil { onDeliveryQueued() }
                events.didQueue()
                return decision
            case .full(let usage):
                ledger.setUsage(usage, of: locationID, in: windows)
            case .claimLost:
                return nil
            }
        }
        throw StoreError.unavailable("capacity kept changing while re-routing lead '\(leadID)'")
    }

    /// Gives back a lead's slot (the lead was rejected).
    public func release(leadID: String) async throws -> Bool {
        let released = try await store.releaseSlot(ofLead: leadID)
        if released { try await refreshLedger() }
        return released
    }

    /// Queues what follows a decision in its transaction: the event announcing it, and — for an assignment, when
    /// delivery is on and the location has a sub-account — the first delivery step.
    private func addFollowUp(to record: inout DecisionRecord) {
        let date = now()
        let assigned = record.decision.outcome == .assigned
        record.followUp = events.jobs(announcing: assigned ? .routed : .unroutable, leadID: record.leadID, at: date)
        guard delivers, assigned, let locationID = record.decision.locationID, let ghl = ghlLocationIDs[locationID]
        else { return }
        record.followUp.append(NewJob(kind: .deliver, leadID: record.leadID, step: "contact", runAt: date))
        record.delivery = DeliveryRecord(leadID: record.leadID, ghlLocationID: ghl, updatedAt: date)
    }

    /// The GHL sub-account id of a location, if known.
    public func ghlLocationID(of locationID: String) -> String? { ghlLocationIDs[locationID] }

    /// Keeps the higher of two counts for the same windows: answers from concurrent commits may arrive out of order.
    private func mirror(_ usage: CapacityUsage, of locationID: String, in windows: CapacityWindows) {
        let known = ledger.usage(of: locationID, in: windows)
        ledger.setUsage(
            CapacityUsage(today: max(known.today, usage.today), thisWeek: max(known.thisWeek, usage.thisWeek)),
            of: locationID,
            in: windows
        )
    }
}
