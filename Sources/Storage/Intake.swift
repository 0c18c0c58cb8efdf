import Foundation

/// A new lead to store, with what de-duplicates it.
public struct Intake: Sendable, Hashable {
    public var record: LeadRecord
    /// The GHL `webhookId`: a second delivery of the same webhook stores nothing.
    public var webhookID: String?
    /// A client's `Idempotency-Key`, with a digest of the request it came with.
    public var idempotency: IdempotencyKey?

    public init(record: LeadRecord, webhookID: String? = nil, idempotency: IdempotencyKey? = nil) {
        self.record = record
        self.webhookID = webhookID
        self.idempotency = idempotency
    }

    /// An `Idempotency-Key` header and the digest of the body it was sent with.
    public struct IdempotencyKey: Sendable, Hashable {
        public var key: String
        public var requestDigest: String
        public init(key: String, requestDigest: String) {
            self.key = key
            self.requestDigest = requestDigest
        }
    }
}

/// What storing a lead did.
public enum IntakeResult: Sendable, Hashable {
    /// Stored, with its routing job, in one transaction.
    case stored(leadID: String)
    /// Seen before (same webhook id, or same idempotency key and body): nothing stored; the earlier lead's id.
    case duplicate(leadID: String?)
    /// The idempotency key was used before with a different body.
    case keyReused(leadID: String?)
}
