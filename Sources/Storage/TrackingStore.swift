public import Foundation
import LeadRouting
public import LeadTracking

/// What happened after delivery: each delivered attempt, GHL's events about it, and the funnel they add up to.
///
/// A lead's attempt is started when its delivery completes (the store does it when it saves a delivery as
/// delivered, in the same transaction), and it counts as delivered in the funnel from then on.
public protocol TrackingStore: Sendable {
    /// Applies GHL events, in one transaction, each to the latest attempt delivered to its sub-account and
    /// contact: the attempt's progress, its place in the funnel aggregates and the lead's timeline. An event seen
    /// before (same webhook id) changes nothing; one about a contact whose delivery is still under way (staff can
    /// call before the workflow step is done) is kept and applied when the attempt starts; one about a contact
    /// Switchboard did not deliver is not kept.
    /// - Returns: One result per event, in order.
    func track(_ events: [GHLEvent], rules: WorkedRules, at date: Date) async throws -> [TrackResult]
    /// A lead's attempts, first to last.
    func attempts(ofLead leadID: String) async throws -> [AttemptRecord]
    /// A lead's GHL events that say something, in the order they happened.
    func timeline(ofLead leadID: String) async throws -> [TimelineEntry]
    /// The funnel by location or by source, over attempts delivered in `since..<until` (whole UTC days).
    func funnel(by grouping: FunnelGrouping, since: Date?, until: Date?) async throws -> [FunnelRow]
    /// Sets an attempt's SLA state and deadline; `reroutedAway` marks it as re-routed (it then counts as such in
    /// the funnel, and its opportunity's abandonment is not counted as lost).
    func setSLA(_ change: SLAChange, at date: Date) async throws
    /// Takes up to `limit` attempts delivered since a time whose GHL state was last read back before `before` (or
    /// never), oldest read first, and marks them read now — so instances sharing the store never read the same
    /// attempt at once.
    func claimAttemptsToReconcile(
        deliveredSince: Date,
        reconciledBefore before: Date,
        limit: Int,
        at date: Date
    ) async throws -> [AttemptRecord]
    /// Puts a routed lead back in the review queue with a reason, queuing `followUp` (its announcement) in the
    /// same transaction.
    func flagForReview(leadID: String, reason: String, followUp: [NewJob], at date: Date) async throws
    /// Whether Switchboard's app is installed in each sub-account that sent INSTALL or UNINSTALL, by GHL location
    /// id (the latest event wins, whatever order they came in).
    func appInstallations() async throws -> [String: AppInstallation]
}

/// Switchboard's app in a sub-account: while it is uninstalled GHL sends no events from there, and only the
/// reconciler's reading back follows its leads.
public struct AppInstallation: Sendable, Hashable {
    public var installed: Bool
    public var changedAt: Date

    public init(installed: Bool, changedAt: Date) {
        self.installed = installed
        self.changedAt = changedAt
    }
}

/// A change to an attempt's SLA.
public struct SLAChange: Sendable, Hashable {
    public var leadID: String
    public var attempt: Int
    /// `running`, `met`, `breached`, `exempt` or `exhausted`.
    public var state: String
    public var dueAt: Date?
    public var reroutedAway: Bool

    public init(leadID: String, attempt: Int, state: String, dueAt: Date?, reroutedAway: Bool = false) {
        self.leadID = leadID
        self.attempt = attempt
        self.state = state
        self.dueAt = dueAt
        self.reroutedAway = reroutedAway
    }
}

/// What tracking one event did.
public enum TrackResult: Sendable, Hashable {
    /// Applied to a lead's attempt.
    case applied(leadID: String)
    /// About a contact whose delivery is still under way: kept, and applied when the attempt starts.
    case early(leadID: String)
    /// The webhook was seen before: nothing changed.
    case duplicate(leadID: String)
    /// Not about a contact Switchboard delivered: not kept.
    case untracked
    /// The app was installed in or removed from a sub-account: kept (the latest wins).
    case installation(installed: Bool)
}

/// One delivery of a lead to a location, and what the location did with it.
public struct AttemptRecord: Sendable, Hashable {
    /// Why the lead went to this location.
    public enum Reason: String, Sendable, Hashable, Codable {
        case initial
        case slaReroute
        case manual
    }

    public var leadID: String
    /// 1 for the first delivery, 2 for the first re-route, …
    public var number: Int
    public var locationID: String
    public var ghlLocationID: String
    public var contactID: String?
    public var opportunityID: String?
    public var reason: Reason
    /// The lead's source, as the funnel groups it (empty when none).
    public var source: String
    public var arrivedAt: Date
    public var deliveredAt: Date
    /// The location's speed to lead: open-hours seconds from delivery to the first human touch.
    public var speedSeconds: Double?
    public var progress: AttemptProgress
    /// When the SLA runs out (in the location's open hours), while it runs.
    public var slaDueAt: Date?
    /// `off` (no SLA), `running`, `met`, `breached` or `exempt`.
    public var slaState: String

    public init(
        leadID: String,
        number: Int,
        locationID: String,
        ghlLocationID: String,
        contactID: String?,
        opportunityID: String?,
        reason: Reason,
        source: String,
        arrivedAt: Date,
        deliveredAt: Date,
        speedSeconds: Double? = nil,
        progress: AttemptProgress = AttemptProgress(),
        slaDueAt: Date? = nil,
        slaState: String = "off"
    ) {
        self.slaDueAt = slaDueAt
        self.slaState = slaState
        self.leadID = leadID
        self.number = number
        self.locationID = locationID
        self.ghlLocationID = ghlLocationID
        self.contactID = contactID
        self.opportunityID = opportunityID
        self.reason = reason
        self.source = source
        self.arrivedAt = arrivedAt
        self.deliveredAt = deliveredAt
        self.speedSeconds = speedSeconds
        self.progress = progress
    }
}

/// A line of a lead's timeline from a GHL event.
public struct TimelineEntry: Sendable, Hashable {
    public var at: Date
    /// The attempt it belongs to.
    public var attempt: Int
    /// The GHL event type, e.g. `OutboundMessage`.
    public var type: String
    public var note: TimelineNote

    public init(at: Date, attempt: Int, type: String, note: TimelineNote) {
        self.at = at
        self.attempt = attempt
        self.type = type
        self.note = note
    }
}

/// What the funnel is grouped by.
public enum FunnelGrouping: String, Sendable, Hashable, CaseIterable {
    case location
    case source
}

/// One group's funnel: counts, revenue, and two durations as counts per ``SpeedBins`` bin: speed to lead (open-hours
/// seconds from delivery to the first human touch) and the lead's wait (seconds from its arrival to that touch).
public struct FunnelRow: Sendable, Hashable {
    /// The location id or the source ("" for leads with no source).
    public var key: String
    public var counts: FunnelCounts
    public var speedBins: [Int: Int]
    public var waitBins: [Int: Int]

    public init(key: String, counts: FunnelCounts, speedBins: [Int: Int], waitBins: [Int: Int] = [:]) {
        self.key = key
        self.counts = counts
        self.speedBins = speedBins
        self.waitBins = waitBins
    }
}

/// How a batch of events changes one attempt: its new progress and speed to lead, and what that changes in the
/// aggregates. The same for both stores.
struct AttemptUpdate {
    var progress: AttemptProgress
    var speedSeconds: Double?
    var change: FunnelChange

    init(_ attempt: AttemptRecord, to new: AttemptProgress, clock: () throws -> BusinessClockFunction) rethrows {
        progress = new
        speedSeconds = attempt.speedSeconds
        if new.firstTouchAt != attempt.progress.firstTouchAt, let touch = new.firstTouchAt {
            speedSeconds = try clock()(attempt.deliveredAt, touch)
        }
        change = FunnelChange(
            from: FunnelContribution(attempt),
            to: FunnelContribution(progress: new, speedSeconds: speedSeconds, arrivedAt: attempt.arrivedAt)
        )
    }
}

/// Open seconds between two moments, in some location's hours.
typealias BusinessClockFunction = (Date, Date) -> Double

/// The business clocks of the locations a transaction has met, each read once.
struct BusinessClocks {
    private var known: [String: BusinessClock] = [:]

    /// Whether the location's clock is still to be read.
    func isUnknown(_ locationID: String) -> Bool { known[locationID] == nil }

    /// A location's clock: its hours in its zone; every second counts for a location that is gone or has no
    /// hours.
    mutating func clock(
        of locationID: String,
        reading location: (String) throws -> StoredLocation?
    ) rethrows -> BusinessClockFunction {
        if let clock = known[locationID] { return clock.openSeconds }
        var clock = BusinessClock.always
        if let stored = try location(locationID),
            let offsets = UTCOffsets(identifier: stored.location.timeZoneIdentifier)
        {
            clock = BusinessClock(hours: stored.location.businessHours, offsets: offsets)
        }
        known[locationID] = clock
        return clock.openSeconds
    }
}

/// An event waiting to be tracked, with the rules and the time it is tracked by.
struct TrackedEvent: Sendable {
    var event: GHLEvent
    var rules: WorkedRules
    var at: Date
}

/// An event that came before its attempt started, kept with the rules it is to be judged by.
struct EarlyEvent: Codable {
    var event: GHLEvent
    var rules: WorkedRules

    var storedText: String {
        get throws {
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .secondsSince1970
            return String(decoding: try encoder.encode(self), as: UTF8.self)
        }
    }

    static func stored(_ text: String) throws -> EarlyEvent {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try decoder.decode(EarlyEvent.self, from: Data(text.utf8))
    }

    /// Applies early events (by webhook id) to a new attempt's progress, in the order they happened. - Returns:
    /// the timeline note of each.
    static func apply(
        _ events: [(webhookID: String, text: String)],
        to progress: inout AttemptProgress
    ) throws -> [(webhookID: String, note: TimelineNote?)] {
        try events.map { ($0.webhookID, try stored($0.text)) }
            .sorted { $0.1.event.occurredAt < $1.1.event.occurredAt }
            .map { webhookID, early in (webhookID, progress.apply(early.event, rules: early.rules)) }
    }
}

extension AttemptProgress {
    /// The stored form (JSON with sorted keys, times as seconds: exact round trip).
    static func storedText(_ progress: AttemptProgress) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.dateEncodingStrategy = .secondsSince1970
        return String(decoding: try encoder.encode(progress), as: UTF8.self)
    }

    static func stored(_ text: String) throws -> AttemptProgress {
        if let progress = StoredProgressReader.read(text) { return progress }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try decoder.decode(AttemptProgress.self, from: Data(text.utf8))
    }
}

extension StoredColumns {
    func attemptRecord() throws -> AttemptRecord {
        let leadID = try required(string("lead_id"), "attempt lead_id")
        guard let reason = AttemptRecord.Reason(rawValue: try string("reason") ?? "") else {
            throw StoreError.corrupt("attempt of lead '\(leadID)': stored reason is not valid")
        }
        return AttemptRecord(
            leadID: leadID,
            number: try required(int("attempt_no"), "attempt_no"),
            locationID: try required(string("location_id"), "attempt location_id"),
            ghlLocationID: try required(string("ghl_location_id"), "attempt ghl_location_id"),
            contactID: try string("contact_id"),
            opportunityID: try string("opportunity_id"),
            reason: reason,
            source: try string("source") ?? "",
            arrivedAt: Date(timeIntervalSince1970: try required(double("arrived_at"), "arrived_at")),
            deliveredAt: Date(timeIntervalSince1970: try required(double("delivered_at"), "delivered_at")),
            speedSeconds: try double("speed_seconds"),
            progress: try AttemptProgress.stored(try required(string("progress"), "attempt progress")),
            slaDueAt: try double("sla_due_at").map(Date.init(timeIntervalSince1970:)),
            slaState: try string("sla_state") ?? "off"
        )
    }

    func timelineEntry() throws -> TimelineEntry {
        TimelineEntry(
            at: Date(timeIntervalSince1970: try required(double("occurred_at"), "occurred_at")),
            attempt: try required(int("attempt_no"), "attempt_no"),
            type: try required(string("type"), "event type"),
            note: TimelineNote(kind: try string("note_kind") ?? "", text: try string("note") ?? "")
        )
    }

    /// The counts of a funnel aggregate row.
    func funnelCounts() throws -> FunnelCounts {
        var counts = FunnelCounts()
        counts.delivered = try int("delivered") ?? 0
        counts.attempted = try int("attempted") ?? 0
        counts.contacted = try int("contacted") ?? 0
        counts.booked = try int("booked") ?? 0
        counts.showed = try int("showed") ?? 0
        counts.won = try int("won") ?? 0
        counts.lost = try int("lost") ?? 0
        counts.rerouted = try int("rerouted") ?? 0
        counts.revenue = try double("revenue") ?? 0
        return counts
    }
}
