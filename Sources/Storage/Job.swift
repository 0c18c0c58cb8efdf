public import Foundation

/// A unit of background work in the durable queue (the jobs table), claimed by a worker under a lease.
public struct Job: Sendable, Hashable {
    /// What a job does.
    public struct Kind: RawRepresentable, Sendable, Hashable, Codable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// Route a stored lead.
        public static let route = Kind(rawValue: "route")
    }

    public var id: Int64
    public var kind: Kind
    public var leadID: String?
    /// Attempts made so far.
    public var attempts: Int
    /// The claim's lease: another worker may take the job after this time.
    public var leaseExpiresAt: Date?

    public init(id: Int64, kind: Kind, leadID: String?, attempts: Int, leaseExpiresAt: Date?) {
        self.id = id
        self.kind = kind
        self.leadID = leadID
        self.attempts = attempts
        self.leaseExpiresAt = leaseExpiresAt
    }
}
