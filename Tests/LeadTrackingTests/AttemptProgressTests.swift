import Foundation
import LeadTracking
import Testing

@Suite("What counts as working a lead, and the funnel it builds")
struct AttemptProgressTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func message(
        _ id: String,
        outbound: Bool = true,
        type: String = "SMS",
        user: String? = "u1",
        source: String? = "app",
        status: String? = "delivered",
        callStatus: String? = nil,
        duration: Double? = nil,
        body: String? = nil,
        at seconds: TimeInterval
    ) -> GHLEvent {
        GHLEvent(
            webhookID: "wh-\(id)",
            type: outbound ? "OutboundMessage" : "InboundMessage",
            ghlLocationID: "L",
            contactID: "c",
            occurredAt: start.addingTimeInterval(seconds),
            change: .message(
                .init(
                    id: id,
                    outbound: outbound,
                    messageType: type,
                    userID: user,
                    source: source,
                    status: status,
                    callStatus: callStatus,
                    callDurationSeconds: duration,
                    body: body
                )
            )
        )
    }

    static func event(_ change: GHLEvent.Change, at seconds: TimeInterval, type: String = "Event") -> GHLEvent {
        GHLEvent(
            webhookID: "wh-\(type)-\(seconds)",
            type: type,
            ghlLocationID: "L",
            contactID: "c",
            occurredAt: start.addingTimeInterval(seconds),
            change: change
        )
    }

    /// Each rule that proves the lead was worked, beside its automated (or otherwise not counting) twin.
    static let rules: [(name: String, counts: GHLEvent, twin: GHLEvent)] = [
        ("SMS sent by a user in the app", message("m1", at: 60), message("m2", user: nil, source: "workflow", at: 60)),
        (
            "email by a user", message("m3", type: "Email", at: 60),
            message("m4", type: "Email", source: "campaign", at: 60)
        ),
        (
            "call by a user (dialer, no source)",
            message("m5", type: "CALL", source: nil, callStatus: "voicemail", at: 60),
            message("m6", type: "VoiceMail", user: nil, source: nil, status: "completed", at: 60)
        ),
        (
            "a reply from the lead", message("m7", outbound: false, user: nil, source: nil, body: "yes please", at: 60),
            message("m8", outbound: false, user: nil, source: nil, body: "STOP", at: 60)
        ),
        ("SMS by a user, not failed", message("m9", at: 60), message("m10", status: "failed", at: 60)),
        ("a user's message, not through the API", message("m11", at: 60), message("m12", source: "api", at: 60)),
        ("bulk action is automation", message("m13", at: 60), message("m14", source: "bulk_actions", at: 60)),
        (
            "an appointment, not cancelled", event(.appointment(.init(id: "a1", status: "confirmed")), at: 60),
            event(.appointment(.init(id: "a2", status: "cancelled")), at: 60)
        ),
        (
            "a disposition (lost)", event(.opportunity(.init(id: "o1", status: "lost")), at: 60),
            event(.opportunity(.init(id: "o1", status: "open")), at: 60)
        ),
        ("the claim tag", event(.tags(["vip", "switchboard:claimed"]), at: 60), event(.tags(["vip"]), at: 60)),
    ]

    @Test("each worked rule counts; its automated twin does not", arguments: 0..<10)
    func workedRules(index: Int) {
        let rule = Self.rules[index]
        var worked = AttemptProgress()
        worked.apply(rule.counts)
        #expect(worked.worked, "\(rule.name)")
        #expect(worked.firstWorkedAt == Self.start.addingTimeInterval(60))
        var twin = AttemptProgress()
        twin.apply(rule.twin)
        #expect(!twin.worked, "twin of \(rule.name)")
    }

    @Test("tasks, notes and stage moves count only when configured; the API source when allowed")
    func configurableRules() {
        let task = Self.event(.taskCompleted(id: "t"), at: 10)
        let note = Self.event(.noteCreated(id: "n"), at: 10)
        let stage = Self.event(.opportunity(.init(id: "o", pipelineStageID: "s-booked")), at: 10)
        let api = Self.message("m", source: "api", at: 10)
        var standard = AttemptProgress()
        for event in [task, note, stage, api] { standard.apply(event) }
        #expect(!standard.worked)
        let rules = WorkedRules(
            apiSourceIsHuman: true,
            workedStageIDs: ["s-booked"],
            tasksCount: true,
            notesCount: true
        )
        for event in [task, note, stage, api] {
            var progress = AttemptProgress()
            progress.apply(event, rules: rules)
            #expect(progress.worked, "\(event.change)")
        }
    }

    @Test("duplicated and reordered events give the same progress and the same funnel")
    func orderIndependence() {
        let events: [GHLEvent] = [
            Self.event(
                .opportunity(.init(id: "o", status: "open", monetaryValue: 0)),
                at: 0,
                type: "OpportunityCreate"
            ),
            Self.message("auto", user: nil, source: "workflow", at: 5),
            Self.message("call", type: "CALL", source: nil, callStatus: "completed", duration: 95, at: 300),
            Self.message("sms", at: 200),
            Self.message("reply", outbound: false, user: nil, source: nil, at: 400),
            Self.event(.appointment(.init(id: "a", status: "confirmed")), at: 500),
            Self.event(.appointment(.init(id: "a", status: "showed")), at: 90_000),
            Self.event(
                .opportunity(.init(id: "o", monetaryValue: 499)),
                at: 90_100,
                type: "OpportunityMonetaryValueUpdate"
            ),
            Self.event(.opportunity(.init(id: "o", status: "won", monetaryValue: 499, generic: true)), at: 90_200),
            Self.event(.opportunity(.init(id: "o", status: "won", monetaryValue: 499)), at: 90_200),
        ]
        var inOrder = AttemptProgress()
        for event in events { inOrder.apply(event) }
        #expect(inOrder.firstTouchAt == Self.start.addingTimeInterval(200))
        #expect(inOrder.firstContactAt == Self.start.addingTimeInterval(300))
        #expect(inOrder.booked && inOrder.showed && inOrder.won && !inOrder.lost)
        #expect(inOrder.revenue == 499)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            var shuffled = AttemptProgress()
            for event in (events + events.prefix(4)).shuffled(using: &generator) { shuffled.apply(event) }
            #expect(shuffled == inOrder)
            #expect(FunnelCounts(progress: shuffled) == FunnelCounts(progress: inOrder))
        }
    }

    @Test("a cancelled appointment is no longer booked; a later status wins whatever order it came in")
    func latestStatusWins() {
        var progress = AttemptProgress()
        progress.apply(Self.event(.appointment(.init(id: "a", status: "cancelled")), at: 200))
        progress.apply(Self.event(.appointment(.init(id: "a", status: "confirmed")), at: 100))
        #expect(!progress.booked)
        var funnel = FunnelCounts(progress: progress)
        #expect(funnel.booked == 0 && funnel.delivered == 1)
        progress.apply(Self.event(.opportunity(.init(id: "o", status: "won", monetaryValue: 50)), at: 300))
        funnel = FunnelCounts(progress: progress) - funnel
        #expect(funnel.won == 1 && funnel.delivered == 0 && funnel.revenue == 50)
    }

    @Test("speed bins: percentiles within 5 %, never a mean")
    func speedBins() {
        var counts: [Int: Int] = [:]
        let samples = (1...1000).map { Double($0) }  // 1 s … 1000 s
        for sample in samples { counts[SpeedBins.bin(ofSeconds: sample), default: 0] += 1 }
        let p50 = try! #require(SpeedBins.percentile(0.5, of: counts))
        let p90 = try! #require(SpeedBins.percentile(0.9, of: counts))
        #expect(abs(p50 - 500) / 500 < 0.05)
        #expect(abs(p90 - 900) / 900 < 0.05)
        #expect(SpeedBins.percentile(0.5, of: [:]) == nil)
    }

    @Test("Stages named as funnel steps count once reached, in any order; unnamed stages count for nothing")
    func stageSteps() throws {
        func stage(_ name: String?, id: String, at seconds: TimeInterval) -> GHLEvent {
            GHLEvent(
                webhookID: "s-\(id)-\(seconds)",
                type: "OpportunityStageUpdate",
                ghlLocationID: "loc",
                contactID: "c",
                occurredAt: Date(timeIntervalSince1970: seconds),
                change: .opportunity(.init(id: "o", pipelineStageID: id, stageName: name, monetaryValue: 80))
            )
        }
        let events = [
            stage("Trial booked", id: "s3", at: 10), stage("Showed up", id: "s4", at: 20),
            stage("Contacted", id: "s2", at: 30),
        ]
        var rules = WorkedRules()
        rules.stageSteps = ["trial BOOKED": .booked, "Showed up": .showed]
        var forward = AttemptProgress(), backward = AttemptProgress()
        for event in events { forward.apply(event, rules: rules) }
        for event in events.reversed() { backward.apply(event, rules: rules) }
        #expect(forward == backward)
        #expect(forward.booked && forward.showed && !forward.won)
        // The defaults are the demo pipeline's names; a stage without a name (GHL not asked) counts for nothing.
        var joined = AttemptProgress()
        joined.apply(stage("Joined", id: "s5", at: 5))
        #expect(joined.won && !joined.booked && joined.revenue == 80)
        var unnamed = AttemptProgress()
        unnamed.apply(stage(nil, id: "s5", at: 5))
        #expect(!unnamed.booked && !unnamed.won && unnamed.stageID?.value == "s5")
        // Rules stored before stage steps existed read back with the defaults.
        let old = try JSONDecoder().decode(WorkedRules.self, from: Data(#"{"apiSourceIsHuman":true}"#.utf8))
        #expect(old.apiSourceIsHuman && old.step(ofStage: "joined") == .won)
        #expect(try StageStep.mapping(parsing: " Trial booked = Booked ") == ("Trial booked", .booked))
        #expect(throws: StageMappingError.self) { try StageStep.mapping(parsing: "Trial booked=maybe") }
        #expect(throws: StageMappingError.self) { try StageStep.mapping(parsing: "no equals sign") }
    }

    @Test("A stored histogram reads back as it was written, adds up, and keeps durations of any length")
    func histogramsStoredAndAdded() {
        let counts = [0: 3, 57: 1, 140: 70_000, SpeedBins.bin(ofSeconds: 1e15): 2]
        #expect(SpeedBins.bin(ofSeconds: 1e15) == SpeedBins.count - 1)
        let stored = SpeedBins.encode(counts)
        #expect(stored.count == 4 * 5)
        #expect(SpeedBins.decode(stored) == counts)
        var totals = [Int](repeating: 0, count: SpeedBins.count)
        SpeedBins.add(encoded: stored, to: &totals)
        SpeedBins.add(encoded: SpeedBins.encode([57: 2, 3: 1]), to: &totals)
        #expect(SpeedBins.counts(of: totals) == [0: 3, 3: 1, 57: 3, 140: 70_000, SpeedBins.count - 1: 2])
        // Empty bins and a truncated tail are not counts.
        #expect(SpeedBins.encode([4: 0]).isEmpty)
        #expect(SpeedBins.decode(Array(stored.dropLast())) == [0: 3, 57: 1, 140: 70_000])
    }

    @Test("GHL's generic update beside the specific one, a second apart, makes one timeline line")
    func redundantUpdateMakesOneNote() {
        var progress = AttemptProgress()
        let generic = Self.event(.opportunity(.init(id: "o", status: "won", monetaryValue: 99, generic: true)), at: 10)
        let specific = Self.event(.opportunity(.init(id: "o", status: "won", monetaryValue: 99)), at: 11)
        #expect(progress.apply(generic)?.text == "opportunity status won, value 99.0")
        #expect(progress.apply(specific) == nil)
        #expect(progress.won && progress.revenue == 99)
    }
}
