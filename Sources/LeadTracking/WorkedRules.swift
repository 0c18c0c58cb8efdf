import Foundation

/// What proves that a location worked a lead (stops its SLA timer and counts in the funnel), and which pipeline
/// stages stand for funnel steps. Automated messages (workflows, campaigns, bulk actions) never count.
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
    /// Pipeline stages, by name (any case), that stand for a funnel step when an opportunity reaches them. The
    /// default names are the demo franchise's pipeline ("Trial booked", "Joined").
    public var stageSteps: [String: StageStep] {
        didSet { stageSteps = Self.normalized(stageSteps) }
    }

    public init(
        apiSourceIsHuman: Bool = false,
        contactCallSeconds: Double = 30,
        workedStageIDs: Set<String> = [],
        tasksCount: Bool = false,
        notesCount: Bool = false,
        claimTag: String = "switchboard:claimed",
        stageSteps: [String: StageStep] = Self.demoStageSteps
    ) {
        self.apiSourceIsHuman = apiSourceIsHuman
        self.contactCallSeconds = contactCallSeconds
        self.workedStageIDs = workedStageIDs
        self.tasksCount = tasksCount
        self.notesCount = notesCount
        self.claimTag = claimTag
        self.stageSteps = Self.normalized(stageSteps)
    }

    /// Reads rules stored before a field existed with that field's default.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = WorkedRules()
        self.init(
            apiSourceIsHuman: try container.decodeIfPresent(Bool.self, forKey: .apiSourceIsHuman)
                ?? defaults.apiSourceIsHuman,
            contactCallSeconds: try container.decodeIfPresent(Double.self, forKey: .contactCallSeconds)
                ?? defaults.contactCallSeconds,
            workedStageIDs: try container.decodeIfPresent(Set<String>.self, forKey: .workedStageIDs)
                ?? defaults.workedStageIDs,
            tasksCount: try container.decodeIfPresent(Bool.self, forKey: .tasksCount) ?? defaults.tasksCount,
            notesCount: try container.decodeIfPresent(Bool.self, forKey: .notesCount) ?? defaults.notesCount,
            claimTag: try container.decodeIfPresent(String.self, forKey: .claimTag) ?? defaults.claimTag,
            stageSteps: try container.decodeIfPresent([String: StageStep].self, forKey: .stageSteps)
                ?? defaults.stageSteps
        )
    }

    /// The demo franchise's pipeline: "New lead", "Contacted", "Trial booked", "Joined".
    public static let demoStageSteps: [String: StageStep] = ["Trial booked": .booked, "Joined": .won]

    /// The step a stage stands for, by its name; `nil` for one that stands for none.
    public func step(ofStage name: String) -> StageStep? {
        stageSteps[Self.key(name)]
    }

    private static func key(_ name: String) -> String { name.trimmingCharacters(in: .whitespaces).lowercased() }

    private static func normalized(_ steps: [String: StageStep]) -> [String: StageStep] {
        Dictionary(steps.map { (key($0.key), $0.value) }, uniquingKeysWith: { first, _ in first })
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
