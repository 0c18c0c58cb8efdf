public import Foundation

/// A webhook whose signature and age have been checked.
public struct VerifiedWebhook: Sendable, Hashable {
    /// GHL's id for this delivery, for de-duplicating retries.
    public var webhookID: String?
    /// The event type, e.g. `ContactCreate`.
    public var type: String?
    /// The sub-account the event happened in.
    public var locationID: String?
    public var timestamp: Date
    /// The raw body, for decoding the event.
    public var body: Data
}
