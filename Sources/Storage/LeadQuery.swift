public import Foundation
public import LeadRouting

/// Which leads to list, newest first, a page at a time.
public struct LeadQuery: Sendable, Hashable {
    public var outcome: RoutingOutcome?
    public var status: LeadRecord.Status?
    public var locationID: String?
    /// Leads received at or after this time.
    public var since: Date?
    /// Leads received before this time.
    public var until: Date?
    /// At most this many leads per page.
    public var limit: Int
    /// Continue after this position (from the previous page's `next`).
    public var after: LeadCursor?

    public init(
        outcome: RoutingOutcome? = nil,
        status: LeadRecord.Status? = nil,
        locationID: String? = nil,
        since: Date? = nil,
        until: Date? = nil,
        limit: Int = 50,
        after: LeadCursor? = nil
    ) {
        self.outcome = outcome
        self.status = status
        self.locationID = locationID
        self.since = since
        self.until = until
        self.limit = limit
        self.after = after
    }
}

/// A position in the newest-first list of leads: the last lead of a page.
public struct LeadCursor: Sendable, Hashable {
    public var receivedAt: Date
    public var leadID: String

    public init(receivedAt: Date, leadID: String) {
        self.receivedAt = receivedAt
        self.leadID = leadID
    }

    /// The cursor as opaque text for URLs: `<microseconds since 1970>_<lead id>`.
    public var text: String { "\(Int64((receivedAt.timeIntervalSince1970 * 1_000_000).rounded()))_\(leadID)" }

    /// Reads the text form; `nil` if it is not one.
    public init?(text: String) {
        // By code unit, not by character: "_" followed by a combining mark or modifier is one character.
        guard let separator = text.utf8.firstIndex(of: UInt8(ascii: "_")) else { return nil }
        let number = text.utf8[..<separator]
        let digits = number.first == UInt8(ascii: "-") ? number.dropFirst() : number[...]
        guard (1...18).contains(digits.count), digits.allSatisfy({ (48...57).contains($0) }),
            let micros = Int64(String(decoding: number, as: UTF8.self))
        else { return nil }
        let id = String(decoding: text.utf8[text.utf8.index(after: separator)...], as: UTF8.self)
        guard !id.isEmpty else { return nil }
        self.init(receivedAt: Date(timeIntervalSince1970: Double(micros) / 1_000_000), leadID: id)
    }
}

/// One page of leads and where the next one starts.
public struct LeadPage: Sendable {
    public var leads: [LeadRecord]
    public var next: LeadCursor?

    public init(leads: [LeadRecord], next: LeadCursor?) {
        self.leads = leads
        self.next = next
    }
}
