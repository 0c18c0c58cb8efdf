public import Foundation

/// What a location has done with one delivered lead, built from GHL's events. Every field merges
/// order-independently (earliest time, or latest stamped value), so events that arrive late, twice or out of order
/// give the same progress.
public struct AttemptProgress: Sendable, Hashable, Codable {
    /// The first human outbound touch (call, SMS, email … with a user, not automation).
    public var firstTouchAt: Date?
    /// The user who made it.
    public var firstTouchUserID: String?
    /// The first two-way exchange: a reply from the lead, or a call long enough to be a conversation.
    public var firstContactAt: Date?
    /// The first evidence of any kind that the lead was worked (what stops the SLA timer).
    public var firstWorkedAt: Date?
    /// When staff added the claim tag.
    public var claimedAt: Date?
    /// The opportunity's status (`open`, `won`, `lost`, `abandoned`).
    public var status: Stamped<String>?
    public var stageID: Stamped<String>?
    /// The funnel steps the pipeline stages the opportunity reached stand for (see ``WorkedRules/stageSteps``).
    public var stageSteps: Set<StageStep>?
    public var monetaryValue: Stamped<Double>?
    /// Each appointment's latest status, by appointment id.
    public var appointments: [String: Stamped<String>]
    /// Whether the contact asked not to be disturbed.
    public var doNotDisturb: Stamped<Bool>?
    /// When the contact was deleted in GHL.
    public var deletedAt: Date?
    /// Set by Switchboard when the SLA moved the lead to another location (not from events).
    public var reroutedAway: Bool

    public init() {
        appointments = [:]
        reroutedAway = false
    }

    /// Applies one event. - Returns: what the event was, for the lead's timeline (`nil`: nothing of note).
    @discardableResult
    public mutating func apply(_ event: GHLEvent, rules: WorkedRules = .standard) -> TimelineNote? {
        let at = event.occurredAt
        switch event.change {
        case .message(let message):
            if rules.isHumanTouch(message) {
                if firstTouchAt.map({ at < $0 || (at == $0 && (message.userID ?? "") < (firstTouchUserID ?? "")) })
                    ?? true
                {
                    firstTouchUserID = message.userID
                }
                firstTouchAt.keepEarliest(at)
                firstWorkedAt.keepEarliest(at)
                if rules.isConversation(message) { firstContactAt.keepEarliest(at) }
                return TimelineNote(kind: "touch", text: "\(Self.channel(message)) by user \(message.userID ?? "?")")
            }
            if rules.isReply(message) {
                firstContactAt.keepEarliest(at)
                firstWorkedAt.keepEarliest(at)
                return TimelineNote(kind: "reply", text: "\(Self.channel(message)) from the lead")
            }
            let who = message.outbound ? "automated \(message.source ?? "message")" : "inbound, not a reply"
            return TimelineNote(kind: "automated", text: "\(Self.channel(message)) (\(who); does not count)")
        case .opportunity(let opportunity):
            var notes: [String] = []
            if let status = opportunity.status {
                let merged = Stamped.latest(self.status, Stamped(status, at: at))
                // A repeat of the same value (GHL's generic update beside the specific one, maybe a second later)
                // moves the stamp but says nothing new.
                if merged.value != self.status?.value { notes.append("status \(status)") }
                self.status = merged
                if ["won", "lost", "abandoned"].contains(status) { firstWorkedAt.keepEarliest(at) }
            }
            if let stage = opportunity.pipelineStageID {
                let merged = Stamped.latest(stageID, Stamped(stage, at: at))
                if merged.value != stageID?.value { notes.append("stage \(opportunity.stageName ?? stage)") }
                stageID = merged
                if rules.workedStageIDs.contains(stage) { firstWorkedAt.keepEarliest(at) }
                if let name = opportunity.stageName, let step = rules.step(ofStage: name) {
                    stageSteps = (stageSteps ?? []).union([step])
                }
            }
            if let value = opportunity.monetaryValue {
                let merged = Stamped.latest(monetaryValue, Stamped(value, at: at))
                if merged.value != monetaryValue?.value { notes.append("value \(value)") }
                monetaryValue = merged
            }
            // GHL's generic OpportunityUpdate and the specific event beside it say the same: whichever comes first
            // changes the state and makes the timeline entry; the other changes nothing and adds none.
            guard !notes.isEmpty else { return nil }
            return TimelineNote(kind: "opportunity", text: "opportunity " + notes.joined(separator: ", "))
        case .appointment(let appointment):
            let status = appointment.deleted ? "cancelled" : (appointment.status ?? "new")
            appointments[appointment.id] = Stamped.latest(appointments[appointment.id], Stamped(status, at: at))
            if !Self.cancelledAppointment.contains(status) { firstWorkedAt.keepEarliest(at) }
            return TimelineNote(kind: "appointment", text: "appointment \(status)")
        case .taskCompleted:
            if rules.tasksCount { firstWorkedAt.keepEarliest(at) }
            return TimelineNote(kind: "task", text: "task completed")
        case .noteCreated:
            if rules.notesCount { firstWorkedAt.keepEarliest(at) }
            return TimelineNote(kind: "note", text: "note added")
        case .tags(let tags):
            guard tags.contains(rules.claimTag) else { return nil }
            claimedAt.keepEarliest(at)
            firstWorkedAt.keepEarliest(at)
            return TimelineNote(kind: "claim", text: "claimed (tag \(rules.claimTag))")
        case .doNotDisturb(let dnd):
            doNotDisturb = Stamped.latest(doNotDisturb, Stamped(dnd, at: at))
            return TimelineNote(kind: "dnd", text: dnd ? "contact set to do-not-disturb" : "do-not-disturb lifted")
        case .contactDeleted:
            deletedAt.keepEarliest(at)
            return TimelineNote(kind: "deleted", text: "contact deleted in GHL")
        case .installation:
            return nil
        }
    }

    static let cancelledAppointment: Set<String> = ["cancelled", "invalid"]

    private static func channel(_ message: GHLEvent.Message) -> String {
        let kind = (message.messageType ?? "message").uppercased()
        let direction = message.outbound ? "outbound" : "inbound"
        return kind == "CALL" ? "\(direction) call (\(message.callStatus ?? "?"))" : "\(direction) \(kind)"
    }

    // MARK: - Funnel marks

    public var attempted: Bool { firstTouchAt != nil }
    public var contacted: Bool { firstContactAt != nil }
    /// An appointment that is not cancelled (a no-show was still booked), or a stage that stands for booking or
    /// for a show (of a booking).
    public var booked: Bool {
        reached(.booked) || reached(.showed)
            || appointments.values.contains { !Self.cancelledAppointment.contains($0.value) }
    }
    public var showed: Bool { reached(.showed) || appointments.values.contains { $0.value == "showed" } }
    public var won: Bool { status?.value == "won" || reached(.won) }
    /// Lost or abandoned by the location (an abandon Switchboard made when re-routing counts as re-routed).
    public var lost: Bool { status?.value == "lost" || (status?.value == "abandoned" && !reroutedAway) }
    public var worked: Bool { firstWorkedAt != nil }
    /// The won opportunity's value.
    public var revenue: Double { won ? (monetaryValue?.value ?? 0) : 0 }
    private func reached(_ step: StageStep) -> Bool { stageSteps?.contains(step) == true }

    /// Whether the contact may not be messaged by another location.
    public var isDoNotDisturb: Bool { doNotDisturb?.value == true || deletedAt != nil }
}

/// A line of a lead's timeline, from one event.
public struct TimelineNote: Sendable, Hashable, Codable {
    /// `touch`, `reply`, `automated`, `opportunity`, `appointment`, `task`, `note`, `claim`, `dnd`, `deleted`.
    public var kind: String
    public var text: String

    public init(kind: String, text: String) {
        self.kind = kind
        self.text = text
    }
}
