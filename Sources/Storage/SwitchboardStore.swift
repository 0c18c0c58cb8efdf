public import Foundation
public import LeadRouting

/// Everything Switchboard persists, behind one protocol family so that SQLite (the embedded default) and
/// PostgreSQL implement the same contract. Every method that writes more than one row does so in one transaction.
public typealias SwitchboardStore = LocationStore & LeadStore & CapacityStore & JobStore & DeliveryStore & RolloutStore
    & InstanceStore & TrackingStore & StoreHealth

/// The service instances sharing the store: GHL limits calls per app, so the instances divide its budget.
public protocol InstanceStore: Sendable {
    /// Records that an instance is alive, and counts the live ones (itself included): those whose last heartbeat
    /// is within `liveness`. Instances that stopped long ago are forgotten.
    func heartbeat(instance id: String, liveness: Duration, at date: Date) async throws -> Int
    /// Forgets an instance (it is stopping), so the others take its share at once.
    func removeInstance(_ id: String) async throws
}

/// The onboarding journal: where each location's rollout stands, step by step, so a crashed apply resumes.
public protocol RolloutStore: Sendable {
    /// Every location's rollout record, by location id.
    func rolloutRecords() async throws -> [String: RolloutRecord]
    /// Adds or replaces a location's record (written before and after each step).
    func saveRolloutRecord(_ record: RolloutRecord) async throws
}

/// The state of each lead's delivery into GHL.
public protocol DeliveryStore: Sendable {
    func delivery(ofLead leadID: String) async throws -> DeliveryRecord?
    /// Adds or replaces a lead's delivery record.
    func saveDelivery(_ record: DeliveryRecord) async throws
}

/// The franchise's locations.
public protocol LocationStore: Sendable {
    /// Every location, ordered by id.
    func allLocations() async throws -> [StoredLocation]
    /// A number that changes whenever any location is added, changed or removed — by this process or any
    /// other — so that a running service can tell cheaply that its routing must be rebuilt.
    func locationsVersion() async throws -> Int64
    func location(id: String) async throws -> StoredLocation?
    /// Adds a location. - Throws: ``StoreError/conflict(_:)`` when the id is taken.
    func insertLocation(_ location: StoredLocation) async throws
    /// Adds or replaces a location.
    func saveLocation(_ location: StoredLocation) async throws
    /// Adds or replaces several locations in one transaction (an import is all or nothing).
    func saveLocations(_ locations: [StoredLocation]) async throws
}

/// Leads, their de-duplication keys and their routing decisions.
public protocol LeadStore: Sendable {
    /// Stores new leads, each with its routing job, all in one transaction; a lead whose webhook id or
    /// idempotency key was seen before (also earlier in the same batch) is not stored. Returns once they are
    /// committed. Concurrent calls may share a transaction (group commit: one disk flush for many requests), and
    /// when too many are waiting for one the call fails with ``StoreError/unavailable(_:)``.
    /// - Returns: One result per intake, in order.
    func accept(_ intakes: [Intake]) async throws -> [IntakeResult]
    func lead(id: String) async throws -> LeadRecord?
    /// The leads with these ids (unknown ids are left out).
    func leads(ids: [String]) async throws -> [String: LeadRecord]
    /// Leads, newest first, filtered and a page at a time.
    func leads(matching query: LeadQuery) async throws -> LeadPage
    /// The latest assignment within the window for each of the contact keys (sticky routing).
    func recentAssignments(for keys: [ContactKey], since: Date) async throws -> RoutingHistory
}

/// The capacity ledger: leads taken per location per local day and week, changed only by conditional updates.
public protocol CapacityStore: Sendable {
    /// Records routing decisions, in order, in one transaction. For each one that assigns a lead, its capacity
    /// slot is taken only while both windows are below their limits — a conditional update, no read-then-write
    /// race — and a slot the lead held before (a reassignment) is released. A decision whose location filled up
    /// in the meantime writes nothing and comes back as ``SlotResult/full(_:)`` with the current usage; one that
    /// completes a routing job whose claim was lost writes nothing and comes back as ``SlotResult/claimLost``; the
    /// others are recorded regardless.
    /// - Returns: One result per record, in order.
    func record(_ records: [DecisionRecord], at date: Date) async throws -> [SlotResult]
    /// Gives back a lead's slot (the lead was rejected); its decision stays for the record.
    /// - Returns: whether the lead held a slot.
    func releaseSlot(ofLead leadID: String) async throws -> Bool
    /// Usage in the given windows, for each slot's location.
    func usage(in slots: [CapacitySlot]) async throws -> [String: CapacityUsage]
}

/// A routing decision to record for a lead, with the capacity slot it takes.
public struct DecisionRecord: Sendable {
    public var decision: RoutingDecision
    public var leadID: String
    /// The slot to take, for an assignment; `nil` for an unrouted outcome.
    public var slot: CapacitySlot?
    /// The limits the slot may fill its windows to.
    public var limits: SlotLimits
    /// Whether a person made the assignment.
    public var manual: Bool
    /// The routing job this completes, if any: recorded only while the claim still holds.
    public var job: JobClaim?
    /// Work that follows the decision (the first delivery step, event notifications), queued in the same
    /// transaction — only when the decision is recorded.
    public var followUp: [NewJob]
    /// The delivery record an assignment starts with, saved in the same transaction.
    public var delivery: DeliveryRecord?

    public init(
        _ decision: RoutingDecision,
        forLead leadID: String,
        slot: CapacitySlot?,
        limits: SlotLimits = .unlimited,
        manual: Bool = false,
        completing job: JobClaim? = nil,
        followUp: [NewJob] = [],
        delivery: DeliveryRecord? = nil
    ) {
        self.decision = decision
        self.leadID = leadID
        self.slot = slot
        self.limits = limits
        self.manual = manual
        self.job = job
        self.followUp = followUp
        self.delivery = delivery
    }
}

extension CapacityStore {
    /// Records one decision (see ``record(_:at:)``).
    public func record(
        _ decision: RoutingDecision,
        forLead leadID: String,
        slot: CapacitySlot?,
        limits: SlotLimits,
        manual: Bool,
        completing job: JobClaim?,
        at date: Date
    ) async throws -> SlotResult {
        try await record(
            [DecisionRecord(decision, forLead: leadID, slot: slot, limits: limits, manual: manual, completing: job)],
            at: date
        )[0]
    }
}

/// What became of a claimed job.
public enum JobOutcome: Sendable {
    /// Done; queue the jobs that follow and record the delivery state.
    case finished(id: Int64, owner: String, next: [NewJob], delivery: DeliveryRecord?)
    /// Try again at a time (`countsAsAttempt: false` gives back the attempt the claim used).
    case retry(id: Int64, owner: String, at: Date, countsAsAttempt: Bool, error: String, delivery: DeliveryRecord?)
    /// Given up on, with the reason; queue the jobs that follow (e.g. announcing the dead letter).
    case dead(id: Int64, owner: String, reason: String, delivery: DeliveryRecord?, next: [NewJob] = [])
}

/// What recording a decision did to the ledger.
public enum SlotResult: Sendable, Hashable {
    /// Recorded; for an assignment, the location's usage after taking the slot.
    case recorded(CapacityUsage?)
    /// The location is full in the slot's windows (current usage given); nothing was written.
    case full(CapacityUsage)
    /// The routing job's claim was lost (its lease lapsed and another worker took it); nothing was written.
    case claimLost
}

/// The durable queue: jobs claimed under a lease, so a job whose worker died is picked up again.
public protocol JobStore: Sendable {
    /// Claims up to `limit` due jobs of a kind that no live lease holds, oldest first.
    func claimJobs(kind: Job.Kind, limit: Int, owner: String, leaseFor: Duration, now: Date) async throws -> [Job]
    /// Marks a claimed job done (e.g. a routing job whose lead was already routed). - Returns: `false` when the
    /// claim was lost: nothing is written then.
    @discardableResult
    func completeJob(_ claim: JobClaim, at date: Date) async throws -> Bool
    /// Adds jobs to the queue.
    func enqueue(_ jobs: [NewJob], at date: Date) async throws
    /// Gives back every claim an owner still holds (a worker shutting down): the jobs keep their due time and
    /// attempts, and are claimable at once. - Returns: how many were given back.
    func releaseClaims(owner: String, at date: Date) async throws -> Int
    /// Extends a claim's lease while a worker is still on the job. - Returns: `false` when the claim was lost.
    func heartbeat(_ id: Int64, owner: String, leaseFor: Duration, now: Date) async throws -> Bool
    /// Settles several claimed jobs in one transaction (group commit for busy workers); each outcome as
    /// ``finish(_:owner:then:recording:at:)``, ``retry(_:owner:at:countsAsAttempt:error:now:)`` or
    /// ``deadLetter(_:owner:reason:recording:at:)`` would. - Returns: for each, `false` when its claim was lost.
    func settle(_ outcomes: [JobOutcome], at date: Date) async throws -> [Bool]
    /// Dead letters of a kind, newest first.
    func deadLetters(kind: Job.Kind, since: Date?, limit: Int) async throws -> [Job]
    /// Puts dead letters back in the queue, due now, with their attempts reset: the given ids, or — with `ids`
    /// `nil` — every dead letter of the kind since a time. - Returns: how many were put back.
    func replayDeadLetters(kind: Job.Kind, ids: [Int64]?, since: Date?, at date: Date) async throws -> Int
    /// The jobs of a lead, oldest first (its delivery history).
    func jobs(ofLead leadID: String) async throws -> [Job]
    /// How many jobs of a kind are waiting (claimed or not).
    func pendingJobCount(kind: Job.Kind) async throws -> Int
}

extension JobStore {
    /// Completes a claimed job and queues the jobs that follow it, in one transaction — so a later step never runs
    /// twice because an earlier one was redone, and never goes missing.
    /// - Returns: `false` when the claim was lost (the lease lapsed and another worker took the job): nothing
    ///   is written then.
    public func finish(
        _ id: Int64,
        owner: String,
        then next: [NewJob],
        recording delivery: DeliveryRecord?,
        at date: Date
    ) async throws -> Bool {
        try await settle([.finished(id: id, owner: owner, next: next, delivery: delivery)], at: date)[0]
    }

    /// Puts a claimed job back for a later attempt. `countsAsAttempt: false` (GHL throttled) gives back the attempt
    /// the claim used. - Returns: `false` when the claim was lost.
    public func retry(
        _ id: Int64,
        owner: String,
        at runAt: Date,
        countsAsAttempt: Bool,
        error: String,
        now: Date
    ) async throws -> Bool {
        try await settle(
            [.retry(id: id, owner: owner, at: runAt, countsAsAttempt: countsAsAttempt, error: error, delivery: nil)],
            at: now
        )[0]
    }

    /// Gives up on a claimed job, keeping it as a dead letter with the reason. - Returns: `false` when the claim
    /// was lost.
    public func deadLetter(
        _ id: Int64,
        owner: String,
        reason: String,
        recording delivery: DeliveryRecord?,
        at date: Date
    ) async throws -> Bool {
        try await settle([.dead(id: id, owner: owner, reason: reason, delivery: delivery)], at: date)[0]
    }
}

/// Whether the store answers.
public protocol StoreHealth: Sendable {
    /// Runs a trivial query. - Throws: when the database cannot be reached.
    func ping() async throws
}
