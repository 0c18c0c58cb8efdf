public import Foundation

/// A GHL sub-account event about a contact, read from a webhook body: what happened, to which contact, when.
///
/// Read leniently (GHL's documented examples disagree with its payloads: wrong `type` on appointment updates,
/// `direction` contradicting the type): a field of the wrong type is treated as absent, and messages are classified
/// by `direction`, not by event type.
public struct GHLEvent: Sendable, Hashable, Codable {
    /// GHL's `webhookId`: the same on every retry of one event.
    public var webhookID: String
    /// The event type as sent, e.g. `OutboundMessage`.
    public var type: String
    public var ghlLocationID: String
    /// The contact it is about (`nil` for installs and for events GHL sent without one).
    public var contactID: String?
    /// When it happened: the webhook's `timestamp` (no event carries its own change time).
    public var occurredAt: Date
    public var change: Change

    public init(
        webhookID: String,
        type: String,
        ghlLocationID: String,
        contactID: String?,
        occurredAt: Date,
        change: Change
    ) {
        self.webhookID = webhookID
        self.type = type
        self.ghlLocationID = ghlLocationID
        self.contactID = contactID
        self.occurredAt = occurredAt
        self.change = change
    }

    /// What the event says changed.
    public enum Change: Sendable, Hashable, Codable {
        /// An opportunity was created or changed (every Opportunity* event carries its whole state).
        case opportunity(Opportunity)
        /// A message or call, either way.
        case message(Message)
        /// An appointment was booked, changed or deleted.
        case appointment(Appointment)
        case taskCompleted(id: String)
        case noteCreated(id: String)
        /// The contact's tags now (GHL sends the whole list, no delta).
        case tags([String])
        /// Whether any channel of the contact is now "do not disturb".
        case doNotDisturb(Bool)
        case contactDeleted
        /// The app was installed in or removed from the sub-account.
        case installation(installed: Bool)
    }

    public struct Opportunity: Sendable, Hashable, Codable {
        public var id: String
        /// `open`, `won`, `lost` or `abandoned`.
        public var status: String?
        public var pipelineStageID: String?
        /// The stage's name: not in GHL's event, looked up by Switchboard in the sub-account's pipelines.
        public var stageName: String?
        public var monetaryValue: Double?
        public var assignedTo: String?
        /// `OpportunityDelete`.
        public var deleted: Bool
        /// The generic `OpportunityUpdate` GHL sends beside every specific event.
        public var generic: Bool

        public init(
            id: String,
            status: String? = nil,
            pipelineStageID: String? = nil,
            stageName: String? = nil,
            monetaryValue: Double? = nil,
            assignedTo: String? = nil,
            deleted: Bool = false,
            generic: Bool = false
        ) {
            self.id = id
            self.status = status
            self.pipelineStageID = pipelineStageID
            self.stageName = stageName
            self.monetaryValue = monetaryValue
            self.assignedTo = assignedTo
            self.deleted = deleted
            self.generic = generic
        }
    }

    public struct Message: Sendable, Hashable, Codable {
        public var id: String
        public var outbound: Bool
        /// `SMS`, `CALL`, `Email`, `VoiceMail`, `FB`, …
        public var messageType: String?
        /// The user who sent it in GHL's UI; automated sends have none.
        public var userID: String?
        /// `app`, `workflow`, `campaign`, `bulk_actions`, `api` (outbound only).
        public var source: String?
        public var status: String?
        public var callStatus: String?
        public var callDurationSeconds: Double?
        public var body: String?

        public init(
            id: String,
            outbound: Bool,
            messageType: String? = nil,
            userID: String? = nil,
            source: String? = nil,
            status: String? = nil,
            callStatus: String? = nil,
            callDurationSeconds: Double? = nil,
            body: String? = nil
        ) {
            self.id = id
            self.outbound = outbound
            self.messageType = messageType
            self.userID = userID
            self.source = source
            self.status = status
            self.callStatus = callStatus
            self.callDurationSeconds = callDurationSeconds
            self.body = body
        }
    }

    public struct Appointment: Sendable, Hashable, Codable {
        public var id: String
        /// `new`, `confirmed`, `cancelled`, `showed`, `noshow`, `invalid`, …
        public var status: String?
        public var source: String?
        public var startTime: Date?
        public var deleted: Bool

        public init(id: String, status: String?, source: String? = nil, startTime: Date? = nil, deleted: Bool = false) {
            self.id = id
            self.status = status
            self.source = source
            self.startTime = startTime
            self.deleted = deleted
        }
    }

    /// The event types Switchboard follows (besides `ContactCreate`, which is a lead).
    public static let followedTypes: Set<String> = [
        "OpportunityCreate", "OpportunityUpdate", "OpportunityStageUpdate", "OpportunityStatusUpdate",
        "OpportunityMonetaryValueUpdate", "OpportunityAssignedToUpdate", "OpportunityDelete", "OutboundMessage",
        "InboundMessage", "AppointmentCreate", "AppointmentUpdate", "AppointmentDelete", "TaskComplete", "NoteCreate",
        "ContactTagUpdate", "ContactDndUpdate", "ContactDelete", "INSTALL", "UNINSTALL",
    ]

    /// Reads an event from a verified webhook body. - Returns: `nil` for a type not followed, or a body that lacks
    /// what the type needs (an id, a location).
    public init?(body: Data, webhookID: String, timestamp: Date) {
        guard let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any],
            let type = object["type"] as? String
        else { return nil }
        self.init(object: object, type: type, webhookID: webhookID, timestamp: timestamp)
    }

    init?(object: [String: Any], type: String, webhookID: String, timestamp: Date) {
        func text(_ key: String, in source: [String: Any] = object) -> String? {
            (source[key] as? String).flatMap { $0.isEmpty ? nil : $0 }
        }
        func number(_ key: String, in source: [String: Any] = object) -> Double? {
            if let value = source[key] as? NSNumber, !(value is Bool) { return value.doubleValue }
            return (source[key] as? String).flatMap(Double.init)
        }
        guard Self.followedTypes.contains(type), let location = text("locationId") else { return nil }
        var contactID = text("contactId")
        let change: Change
        switch type {
        case let type where type.hasPrefix("Opportunity"):
            guard let id = text("id") else { return nil }
            change = .opportunity(
                Opportunity(
                    id: id,
                    status: text("status")?.lowercased(),
                    pipelineStageID: text("pipelineStageId"),
                    monetaryValue: number("monetaryValue"),
                    assignedTo: text("assignedTo"),
                    deleted: type == "OpportunityDelete",
                    generic: type == "OpportunityUpdate"
                )
            )
        case "OutboundMessage", "InboundMessage":
            // Some of GHL's examples carry no message id: the conversation and time name the message then.
            guard
                let id = text("messageId") ?? text("id")
                    ?? text("conversationId").map({ "\($0)@\(text("dateAdded") ?? "")" })
            else { return nil }
            let direction = text("direction")?.lowercased()
            change = .message(
                Message(
                    id: id,
                    outbound: direction.map { $0 == "outbound" } ?? (type == "OutboundMessage"),
                    messageType: text("messageType"),
                    userID: text("userId"),
                    source: text("source")?.lowercased(),
                    status: text("status")?.lowercased(),
                    callStatus: text("callStatus")?.lowercased(),
                    callDurationSeconds: number("callDuration"),
                    body: text("body")
                )
            )
        case "AppointmentCreate", "AppointmentUpdate", "AppointmentDelete":
            guard let appointment = object["appointment"] as? [String: Any], let id = text("id", in: appointment)
            else { return nil }
            contactID = contactID ?? text("contactId", in: appointment)
            change = .appointment(
                Appointment(
                    id: id,
                    status: (text("appointmentStatus", in: appointment) ?? text("status", in: appointment))?
                        .lowercased(),
                    source: text("source", in: appointment),
                    startTime: text("startTime", in: appointment).flatMap(Self.date),
                    deleted: type == "AppointmentDelete"
                )
            )
        case "TaskComplete":
            guard let id = text("id") else { return nil }
            change = .taskCompleted(id: id)
        case "NoteCreate":
            guard let id = text("id") else { return nil }
            change = .noteCreated(id: id)
        case "ContactTagUpdate":
            contactID = contactID ?? text("id")
            change = .tags((object["tags"] as? [Any])?.compactMap { $0 as? String } ?? [])
        case "ContactDndUpdate":
            contactID = contactID ?? text("id")
            var dnd = (object["dnd"] as? Bool) ?? false
            if let settings = object["dndSettings"] as? [String: Any] {
                dnd =
                    dnd
                    || settings.values.contains {
                        (($0 as? [String: Any])?["status"] as? String).map { $0 == "active" || $0 == "permanent" }
                            ?? false
                    }
            }
            change = .doNotDisturb(dnd)
        case "ContactDelete":
            contactID = contactID ?? text("id")
            change = .contactDeleted
        default:  // INSTALL, UNINSTALL
            change = .installation(installed: type == "INSTALL")
        }
        self.init(
            webhookID: webhookID,
            type: type,
            ghlLocationID: location,
            contactID: contactID,
            occurredAt: timestamp,
            change: change
        )
    }

    private static func date(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
