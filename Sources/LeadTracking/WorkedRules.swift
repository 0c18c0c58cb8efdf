import Foundation

/// What proves that a location worked a lead (stops its SLA timer and counts in the funnel). Automated messages
/// (workflows, campaigns, bulk actions) never count.
public struct WorkedRules: Sendable, Hashable, Codable {
    /// Whether an outbound message sent through the API with a user counts as a human touch (another integration,
    /// or Switchboard itself, also sends through the API). Off by default.
    public var apiSourceIsHuman: Bool
    /// How long a completed outbound call must last to count as a conversation (contacted).
    public var contactCallSeconds: Double
    /// Pipeline stage ids whose reaching counts as worked (none by default: workflows move stages too).
    public var workedStageIDs: Set<String>
    /// Whether a completed task counts as worked (off: tasks are often created by workflows).
    public var tasksCount: Bool
    /// Whether a note counts as worked (off: notes carry no user).
    public var notesCount: Bool
    /// The tag staff add to claim a lead explicitly.
    public var claimTag: String

    public init(
        apiSourceIsHuman: Bool = false,
        contactCallSeconds: Double = 30,
        workedStageIDs: Set<String> = [],
        tasksCount: Bool = false,
        notesCount: Bool = false,
        claimTag: String = "switchboard:claimed"
    ) {
        self.apiSourceIsHuman = apiSourceIsHuman
        self.contactCallSeconds = contactCallSeconds
        self.workedStageIDs = workedStageIDs
        self.tasksCount = tasksCount
        self.notesCount = notesCount
        self.claimTag = claimTag
    }

    /// The defaults: human outbound touches, replies, appointments, dispositions and the claim tag.
    public static let standard = WorkedRules()

    /// Message sources that are automation, whoever set them up.
    static let automatedSources: Set<String> = ["workflow", "campaign", "bulk_actions"]

    /// Whether an outbound message is a person's touch: it names the user who sent it, and its source is the app
    /// (or none, as dialer calls have), never automation — and the API only when configured.
    func isHumanTouch(_ message: GHLEvent.Message) -> Bool {
        guard message.outbound, message.userID != nil else { return false }
        if let source = message.source {
            if Self.automatedSources.contains(source) { return false }
            if source == "api" && !apiSourceIsHuman { return false }
        }
        return !["failed", "undelivered"].contains(message.status ?? "")
    }

    /// Whether an inbound message is the lead talking to the location (not an opt-out, not a voicemail).
    func isReply(_ message: GHLEvent.Message) -> Bool {
        guard !message.outbound else { return false }
        if ["failed", "undelivered", "voicemail"].contains(message.status ?? "") { return false }
        if message.callStatus == "voicemail" || message.callStatus == "no-answer" { return false }
        let word = (message.body ?? "").trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
        return !["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"].contains(word)
    }

    /// Whether a human outbound call was a conversation.
    func isConversation(_ message: GHLEvent.Message) -> Bool {
        message.outbound && message.messageType?.uppercased() == "CALL"
            && (message.callStatus == "completed" || message.callStatus == "answered")
            && (message.callDurationSeconds ?? 0) >= contactCallSeconds
    }
}
