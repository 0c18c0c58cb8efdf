public import Foundation

/// A unit of background work in the durable queue (the jobs table), claimed by a worker under a lease.
public struct Job: Sendable, Hashable {
    /// What a job does.
    public struct Kind: RawRepresentable, Sendable, Hashable, Codable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// Route a stored lead.
        public static let route = Kind(rawValue: "route")
        /// Deliver a routed lead into its location's GHL sub-account, one step per job.
        public static let deliver = Kind(rawValue: "deliver")
        /// Send a lead event to one endpoint group (the step names the event and the group).
        public static let notify = Kind(rawValue: "notify")
        /// Watch a delivered lead's SLA: remind, verify with GHL, re-route (the step names attempt and phase).
        public static let sla = Kind(rawValue: "sla")
    }

    /// Where a job is in its life.
    public enum Status: String, Sendable, Hashable, Codable {
        /// Waiting for its time, or claimed by a worker (see the lease).
        case queued
        case done
        /// Given up on (a permanent error, or every retry used); kept to be looked at and replayed.
        case dead
    }

    public var id: Int64
    public var kind: Kind
    public var leadID: String?
    /// For multi-step work (delivery): which step this job is.
    public var step: String?
    public var status: Status
    /// Why the last attempt failed (for a dead letter: why it was given up on).
    public var lastError: String?
    /// When the job is due.
    public var runAt: Date
    /// Attempts made so far.
    public var attempts: Int
    /// The claim's lease: another worker may take the job after this time.
    public var leaseExpiresAt: Date?

    public init(
        id: Int64,
        kind: Kind,
        leadID: String?,
        step: String? = nil,
        status: Status = .queued,
        lastError: String? = nil,
        runAt: Date,
        attempts: Int,
        leaseExpiresAt: Date?
    ) {
        self.id = id
        self.kind = kind
        self.leadID = leadID
        self.step = step
        self.status = status
        self.lastError = lastError
        self.runAt = runAt
        self.attempts = attempts
        self.leaseExpiresAt = leaseExpiresAt
    }
}

/// A job to add to the queue.
public struct NewJob: Sendable, Hashable {
    public var kind: Job.Kind
    public var leadID: String?
    public var step: String?
    public var runAt: Date

    public init(kind: Job.Kind, leadID: String?, step: String? = nil, runAt: Date) {
        self.kind = kind
        self.leadID = leadID
        self.step = step
        self.runAt = runAt
    }
}

/// A worker's claim on a job: the job's id and the owner its lease names. Writes that complete a job carry it, so a
/// worker whose lease lapsed (and whose job another worker took) writes nothing.
public struct JobClaim: Sendable, Hashable {
    public var id: Int64
    public var owner: String

    public init(id: Int64, owner: String) {
        self.id = id
        self.owner = owner
    }
}
