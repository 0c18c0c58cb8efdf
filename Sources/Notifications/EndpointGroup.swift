public import Foundation
public import Storage

/// A set of URLs that receive lead events as one failover group: each event goes to one of them, rotating from
/// event to event, and on to the next when one fails (any non-2xx answer or a timeout).
public struct EndpointGroup: Sendable, Hashable {
    /// How an event is written on the wire.
    public enum Format: String, Sendable, Hashable, CaseIterable {
        /// The Standard Webhooks envelope `{"type","timestamp","data"}`, signed.
        case standard
        /// A Slack incoming-webhook message: `{"text": "…"}` with a readable line for an operations channel.
        case slack
    }

    /// A short name (letters, digits, `-`, `_`), used in the queue and in logs.
    public var name: String
    public var urls: [URL]
    /// The signing secret: `whsec_` followed by base64 (the Standard Webhooks form), or any other text (its UTF-8
    /// bytes are the key). `nil`: requests are not signed.
    public var secret: String?
    public var format: Format
    /// The events this group receives.
    public var events: Set<LeadEvent>
    /// How long one URL gets to answer before the next is tried.
    public var timeout: Duration

    public init(
        name: String,
        urls: [URL],
        secret: String? = nil,
        format: Format = .standard,
        events: Set<LeadEvent> = Set(LeadEvent.allCases),
        timeout: Duration = .seconds(5)
    ) throws(Problem) {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw Problem(description: "'\(name)' is not a group name (use letters, digits, - and _)")
        }
        guard !urls.isEmpty else { throw Problem(description: "group \(name): give at least one URL") }
        for url in urls where !(url.scheme == "https" || url.scheme == "http") || url.host == nil {
            throw Problem(description: "group \(name): '\(url.absoluteString)' is not an http(s) URL")
        }
        guard !events.isEmpty else { throw Problem(description: "group \(name): give at least one event") }
        self.name = name
        self.urls = urls
        self.secret = secret
        self.format = format
        self.events = events
        self.timeout = timeout
    }

    /// An endpoint group that cannot be used, and why.
    public struct Problem: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }
}
