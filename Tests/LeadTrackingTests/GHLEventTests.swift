import Foundation
import LeadTracking
import Testing

@Suite("GHL events read from webhook bodies")
struct GHLEventTests {
    static let docs = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appending(path: "Specs/ghl-openapi/docs/webhook-events")

    /// The JSON examples (not the schemas) in one of GHL's webhook docs.
    static func examples(_ name: String) throws -> [Data] {
        let text = try String(contentsOf: docs.appending(path: "\(name).md"), encoding: .utf8)
        var blocks: [Data] = []
        var current: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line.hasPrefix("```json"), !line.contains("json_schema") {
                current = []
            } else if line.hasPrefix("```"), let lines = current {
                blocks.append(Data(lines.joined(separator: "\n").utf8))
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    static let followed = [
        "OpportunityCreate", "OpportunityUpdate", "OpportunityStageUpdate", "OpportunityStatusUpdate",
        "OpportunityMonetaryValueUpdate", "OpportunityAssignedToUpdate", "OpportunityDelete", "OutboundMessage",
        "InboundMessage", "AppointmentCreate", "AppointmentUpdate", "AppointmentDelete", "TaskComplete", "NoteCreate",
        "ContactTagUpdate", "ContactDndUpdate", "ContactDelete", "AppInstall", "AppUninstall",
    ]

    @Test("every example in GHL's docs for the followed events is read, with its contact", arguments: followed)
    func documentedExamples(name: String) throws {
        let examples = try Self.examples(name)
        #expect(!examples.isEmpty, "no JSON example in \(name).md")
        for body in examples {
            // Agency-level installs name no sub-account: nothing to follow there.
            if name.hasPrefix("App"), !String(decoding: body, as: UTF8.self).contains("\"locationId\"") {
                #expect(GHLEvent(body: body, webhookID: "wh", timestamp: Date()) == nil)
                continue
            }
            let event = try #require(
                GHLEvent(body: body, webhookID: "wh", timestamp: Date(timeIntervalSince1970: 0)),
                "\(name).md example not read: \(String(decoding: body, as: UTF8.self))"
            )
            if case .installation = event.change {
                #expect(event.contactID == nil)
            } else {
                #expect(event.contactID != nil, "\(name): no contact")
            }
        }
    }

    @Test("the documented dialer call is a human touch and a conversation; the workflow voicemail is neither")
    func callAndWorkflowVoicemail() throws {
        let examples = try Self.examples("OutboundMessage").compactMap {
            GHLEvent(body: $0, webhookID: "wh", timestamp: Date(timeIntervalSince1970: 100))
        }
        let call = try #require(
            examples.first { event in
                if case .message(let message) = event.change { return message.messageType == "CALL" }
                return false
            }
        )
        var progress = AttemptProgress()
        progress.apply(call)
        #expect(progress.attempted && progress.contacted && progress.worked)
        #expect(progress.firstTouchUserID == "xsmF1xxhmC92ZpL1lj7aLa")

        let voicemail = try #require(
            examples.first { event in
                if case .message(let message) = event.change { return message.messageType == "VoiceMail" }
                return false
            }
        )
        var automated = AttemptProgress()
        let note = automated.apply(voicemail)
        #expect(!automated.attempted && !automated.worked)
        #expect(note?.kind == "automated")
    }

    @Test("an appointment's status is read from the nested object; a type GHL does not send for leads is not read")
    func appointmentsAndUnknownTypes() throws {
        let body = Data(
            #"{"type":"AppointmentUpdate","locationId":"L","appointment":{"id":"a1","contactId":"c1","appointmentStatus":"showed"}}"#
                .utf8
        )
        let event = try #require(GHLEvent(body: body, webhookID: "w", timestamp: Date()))
        #expect(event.contactID == "c1")
        #expect(event.change == .appointment(.init(id: "a1", status: "showed")))
        #expect(
            GHLEvent(body: Data(#"{"type":"InvoicePaid","locationId":"L"}"#.utf8), webhookID: "w", timestamp: Date())
                == nil
        )
        #expect(GHLEvent(body: Data(#"{"type":"OutboundMessage"}"#.utf8), webhookID: "w", timestamp: Date()) == nil)
    }
}
