import Foundation
import LeadRouting
import LeadTracking
import Storage
import SwitchboardTesting
import Testing

@Suite("Tracking after delivery: attempts, GHL events and the funnel (SQLite, and PostgreSQL when configured)")
struct TrackingStoreTests {
    /// Monday 2026-11-30 09:00 CST.
    static let delivered = Fixtures.mondayMorning

    /// A gym open 06:00–21:00 on weekdays (Chicago), with `count` leads delivered into it (contacts `c0`, `c1` …),
    /// each with the source given in turn.
    static func deliver(
        _ count: Int,
        to store: any SwitchboardStore,
        location: String = "atx",
        sources: [String?] = ["facebook"]
    ) async throws {
        try await store.saveLocation(
            StoredLocation(
                location: Fixtures.location(location, zip: "78701", hours: "mon-fri 06:00-21:00"),
                ghlLocationID: "ghl-\(location)",
                updatedAt: delivered
            )
        )
        let intakes = (0..<count).map { index in
            var intake = Fixtures.intake("\(location)-lead-\(index)")
            intake.record.lead.source = sources[index % sources.count]
            return intake
        }
        _ = try await store.accept(intakes)
        for index in 0..<count {
            try await assignAndDeliver("\(location)-lead-\(index)", to: location, as: index, at: delivered, in: store)
        }
    }

    /// Assigns a stored lead to a location and records its delivery there as contact `c<contact>` with opportunity
    /// `o<contact>`, which starts its attempt.
    static func assignAndDeliver(
        _ id: String,
        to location: String,
        as contact: Int,
        at date: Date,
        in store: any SwitchboardStore
    ) async throws {
        _ = try await store.record(
            Fixtures.assignment(id, to: location),
            forLead: id,
            slot: nil,
            limits: .unlimited,
            manual: false,
            completing: nil,
            at: date
        )
        try await store.saveDelivery(
            DeliveryRecord(
                leadID: id,
                ghlLocationID: "ghl-\(location)",
                state: .delivered,
                contactID: "c\(contact)",
                opportunityID: "o\(contact)",
                updatedAt: date
            )
        )
    }

    static func event(
        _ id: String,
        contact: String = "c0",
        location: String = "ghl-atx",
        after seconds: TimeInterval,
        _ change: GHLEvent.Change
    ) -> GHLEvent {
        GHLEvent(
            webhookID: id,
            type: "Event",
            ghlLocationID: location,
            contactID: contact,
            occurredAt: delivered.addingTimeInterval(seconds),
            change: change
        )
    }

    static func humanSMS(_ id: String, contact: String = "c0", after seconds: TimeInterval) -> GHLEvent {
        event(
            id,
            contact: contact,
            after: seconds,
            .message(.init(id: id, outbound: true, messageType: "SMS", userID: "u1", source: "app"))
        )
    }

    @Test(
        "A delivered lead starts one attempt, counted once in the funnel, however often it is saved",
        arguments: StoreKind.available
    )
    func deliveryStartsOneAttempt(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await Self.deliver(1, to: store)
            // A replayed last step saves the delivered record again.
            var record = try #require(try await store.delivery(ofLead: "atx-lead-0"))
            record.updatedAt = Self.delivered.addingTimeInterval(60)
            try await store.saveDelivery(record)
            let attempts = try await store.attempts(ofLead: "atx-lead-0")
            #expect(attempts.count == 1)
            #expect(attempts.first?.reason == .initial)
            #expect(attempts.first?.contactID == "c0")
            #expect(attempts.first?.source == "facebook")
            #expect(attempts.first?.deliveredAt == Self.delivered)
            let funnel = try await store.funnel(by: .location, since: nil, until: nil)
            #expect(funnel.map(\.key) == ["atx"])
            #expect(funnel.first?.counts.delivered == 1)
        }
    }

    @Test("Events about delivered contacts are applied once; others are not kept", arguments: StoreKind.available)
    func eventsAreMatchedAndDeduplicated(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await Self.deliver(2, to: store)
            let results = try await store.track(
                [
                    Self.humanSMS("w1", after: 120),
                    Self.humanSMS("w1", after: 120),
                    Self.humanSMS("w2", contact: "someone-else", after: 120),
                    Self.event("w3", location: "ghl-other", after: 120, .tags(["switchboard:claimed"])),
                ],
                rules: .standard,
                at: Self.delivered.addingTimeInterval(121)
            )
            #expect(
                results == [.applied(leadID: "atx-lead-0"), .duplicate(leadID: "atx-lead-0"), .untracked, .untracked]
            )
            // Arriving again later, in another batch: still a duplicate.
            #expect(
                try await store.track([Self.humanSMS("w1", after: 120)], rules: .standard, at: Self.delivered)
                    == [.duplicate(leadID: "atx-lead-0")]
            )
            let attempt = try #require(try await store.attempts(ofLead: "atx-lead-0").first)
            #expect(attempt.progress.firstTouchAt == Self.delivered.addingTimeInterval(120))
            #expect(attempt.speedSeconds.map { abs($0 - 120) < 0.01 } == true)
            let timeline = try await store.timeline(ofLead: "atx-lead-0")
            #expect(timeline.map(\.note.kind) == ["touch"])
            let row = try #require(try await store.funnel(by: .location, since: nil, until: nil).first)
            #expect(row.counts.delivered == 2 && row.counts.attempted == 1)
            #expect(SpeedBins.percentile(0.5, of: row.speedBins).map { abs($0 - 120) < 6 } == true)
        }
    }

    @Test(
        "Any window, across month ends and open-ended, gives the funnel the attempts themselves add up to",
        arguments: StoreKind.available
    )
    func windowsAcrossMonths(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            // 90 leads delivered 23 h apart from 21 October to mid-January, at two gyms open every day, from three
            // sources; two in three touched after a few minutes, every fifth won.
            let start = Self.delivered.addingTimeInterval(-40 * 86_400)
            for id in ["atx", "dal"] {
                try await store.saveLocation(
                    StoredLocation(
                        location: Fixtures.location(id, zip: "78701", hours: "mon-sun 00:00-24:00"),
                        ghlLocationID: "ghl-\(id)",
                        updatedAt: start
                    )
                )
            }
            var events: [GHLEvent] = []
            for index in 0..<90 {
                let id = "lead-\(index)", location = index % 2 == 0 ? "atx" : "dal"
                let delivered = start.addingTimeInterval(Double(index) * 23 * 3_600)
                var intake = Fixtures.intake(id)
                intake.record.lead.source = ["facebook", "google", nil][index % 3]
                intake.record.lead.arrivedAt = delivered.addingTimeInterval(-Double(index % 7) * 60)
                _ = try await store.accept([intake])
                try await Self.assignAndDeliver(id, to: location, as: index, at: delivered, in: store)
                let touched = delivered.addingTimeInterval(Double(30 + index * 17))
                if index % 3 != 2 {
                    events.append(
                        GHLEvent(
                            webhookID: "sms-\(index)",
                            type: "OutboundMessage",
                            ghlLocationID: "ghl-\(location)",
                            contactID: "c\(index)",
                            occurredAt: touched,
                            change: .message(
                                .init(id: "m\(index)", outbound: true, messageType: "SMS", userID: "u1", source: "app")
                            )
                        )
                    )
                }
                if index % 5 == 0 {
                    events.append(
                        GHLEvent(
                            webhookID: "won-\(index)",
                            type: "OpportunityStatusUpdate",
                            ghlLocationID: "ghl-\(location)",
                            contactID: "c\(index)",
                            occurredAt: touched.addingTimeInterval(600),
                            change: .opportunity(.init(id: "o\(index)", status: "won", monetaryValue: 50))
                        )
                    )
                }
            }
            _ = try await store.track(events, rules: .standard, at: Self.delivered)
            var attempts: [AttemptRecord] = []
            for index in 0..<90 { attempts += try await store.attempts(ofLead: "lead-\(index)") }
            #expect(attempts.count == 90)

            let utc = TimeZone(identifier: "UTC")!
            func day(_ text: String) -> Date { Fixtures.date(text + "T00:00:00Z") }
            let windows: [(Date?, Date?)] = [
                (nil, nil), (day("2026-11-01"), nil), (nil, day("2026-12-01")), (day("2026-10-25"), day("2027-01-09")),
                (day("2026-11-01"), day("2027-01-01")), (day("2026-11-15"), day("2026-11-16")),
                (day("2026-11-30"), day("2026-12-02")), (day("2026-12-05"), day("2026-12-05")),
            ]
            for (since, until) in windows {
                for grouping in FunnelGrouping.allCases {
                    var expected: [String: FunnelRow] = [:]
                    for attempt in attempts {
                        var calendar = Calendar(identifier: .gregorian)
                        calendar.timeZone = utc
                        let deliveredDay = calendar.startOfDay(for: attempt.deliveredAt)
                        if let since, deliveredDay < calendar.startOfDay(for: since) { continue }
                        if let until, deliveredDay >= until { continue }
                        let key = grouping == .location ? attempt.locationID : attempt.source
                        var row = expected[key] ?? FunnelRow(key: key, counts: FunnelCounts(), speedBins: [:])
                        row.counts = row.counts + FunnelCounts(progress: attempt.progress)
                        if let speed = attempt.speedSeconds {
                            row.speedBins[SpeedBins.bin(ofSeconds: speed), default: 0] += 1
                        }
                        if let touch = attempt.progress.firstTouchAt {
                            row.waitBins[
                                SpeedBins.bin(ofSeconds: touch.timeIntervalSince(attempt.arrivedAt)),
                                default: 0
                            ] += 1
                        }
                        expected[key] = row
                    }
                    let funnel = try await store.funnel(by: grouping, since: since, until: until)
                    #expect(
                        funnel == expected.values.sorted { $0.key < $1.key },
                        "\(grouping) since \(String(describing: since)) until \(String(describing: until))"
                    )
                }
            }
            #expect(
                try await store.funnel(by: .source, since: nil, until: nil).map(\.counts.delivered) == [30, 30, 30]
            )
        }
    }

    @Test(
        "App installations: the latest INSTALL or UNINSTALL per sub-account wins, in any order",
        arguments: StoreKind.available
    )
    func appInstallations(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let events = [("INSTALL", 0.0, "ghl-a"), ("UNINSTALL", 60, "ghl-a"), ("INSTALL", 30, "ghl-b")].map {
                type,
                seconds,
                location in
                GHLEvent(
                    webhookID: "\(type)-\(location)-\(seconds)",
                    type: type,
                    ghlLocationID: location,
                    contactID: nil,
                    occurredAt: Self.delivered.addingTimeInterval(seconds),
                    change: .installation(installed: type == "INSTALL")
                )
            }
            let results = try await store.track(events.reversed(), rules: .standard, at: Self.delivered)
            #expect(
                results == [
                    .installation(installed: true), .installation(installed: false), .installation(installed: true),
                ]
            )
            let installations = try await store.appInstallations()
            #expect(
                installations["ghl-a"]
                    == AppInstallation(installed: false, changedAt: Self.delivered.addingTimeInterval(60))
            )
            #expect(installations["ghl-b"]?.installed == true)
            #expect(installations.count == 2)
        }
    }

    @Test(
        "Speed to lead counts the gym's open hours only: the night between does not count",
        arguments: StoreKind.available
    )
    func speedInBusinessHours(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await Self.deliver(1, to: store)
            // Delivered Monday 09:00 CST; touched Tuesday 07:00 CST: 12 h Monday + 1 h Tuesday open.
            _ = try await store.track(
                [Self.humanSMS("w1", after: 22 * 3600)],
                rules: .standard,
                at: Self.delivered.addingTimeInterval(22 * 3600)
            )
            let attempt = try #require(try await store.attempts(ofLead: "atx-lead-0").first)
            #expect(attempt.speedSeconds.map { abs($0 - 13 * 3600) < 0.01 } == true)
        }
    }

    @Test(
        "The same events in any order, twice, concurrently: the same progress and the same funnel",
        arguments: StoreKind.available
    )
    func orderAndConcurrencyIndependence(_ kind: StoreKind) async throws {
        let events: [GHLEvent] = [
            Self.event("o1", after: 0, .opportunity(.init(id: "o0", status: "open", monetaryValue: 0))),
            Self.event(
                "m0",
                after: 30,
                .message(.init(id: "m0", outbound: true, messageType: "SMS", source: "workflow"))
            ),
            Self.humanSMS("m1", after: 300),
            Self.humanSMS("m2", after: 90),
            Self.event("m3", after: 400, .message(.init(id: "m3", outbound: false, messageType: "SMS", body: "hi"))),
            Self.event("a1", after: 600, .appointment(.init(id: "a", status: "confirmed"))),
            Self.event("a2", after: 90_000, .appointment(.init(id: "a", status: "showed"))),
            Self.event("o2", after: 90_100, .opportunity(.init(id: "o0", status: "won", monetaryValue: 600))),
            Self.event(
                "o3",
                after: 90_100,
                .opportunity(.init(id: "o0", status: "won", monetaryValue: 600, generic: true))
            ),
        ]
        let expected = try await kind.withStore { store in
            try await Self.deliver(1, to: store, sources: [nil])
            _ = try await store.track(events, rules: .standard, at: Self.delivered)
            return (
                try await store.attempts(ofLead: "atx-lead-0").first?.progress,
                try await store.funnel(by: .source, since: nil, until: nil)
            )
        }
        #expect(expected.1.first?.counts.won == 1)
        #expect(expected.1.first?.counts.revenue == 600)
        #expect(expected.1.first?.key == "")
        try await kind.withStore { store in
            try await Self.deliver(1, to: store, sources: [nil])
            try await withThrowingTaskGroup(of: Void.self) { group in
                for event in (events + events).shuffled() {
                    group.addTask { _ = try await store.track([event], rules: .standard, at: Self.delivered) }
                }
                try await group.waitForAll()
            }
            #expect(try await store.attempts(ofLead: "atx-lead-0").first?.progress == expected.0)
            #expect(try await store.funnel(by: .source, since: nil, until: nil) == expected.1)
        }
    }

    @Test("The funnel by location and by source, within a window of whole days", arguments: StoreKind.available)
    func funnelGroupsAndWindows(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await Self.deliver(4, to: store, sources: ["facebook", "google"])
            try await Self.deliver(1, to: store, location: "dal", sources: ["google"])
            _ = try await store.track(
                [
                    Self.humanSMS("w0", contact: "c0", after: 60),
                    Self.event(
                        "w1",
                        contact: "c1",
                        after: 60,
                        .opportunity(.init(id: "o1", status: "won", monetaryValue: 99))
                    ),
                    Self.event("w2", contact: "c2", after: 60, .opportunity(.init(id: "o2", status: "lost"))),
                ],
                rules: .standard,
                at: Self.delivered
            )
            let bySource = try await store.funnel(by: .source, since: nil, until: nil)
            #expect(bySource.map(\.key) == ["facebook", "google"])
            #expect(
                bySource[0].counts.delivered == 2 && bySource[0].counts.attempted == 1 && bySource[0].counts.lost == 1
            )
            #expect(
                bySource[1].counts.delivered == 3 && bySource[1].counts.won == 1 && bySource[1].counts.revenue == 99
            )
            let byLocation = try await store.funnel(by: .location, since: nil, until: nil)
            #expect(byLocation.map(\.key) == ["atx", "dal"])
            #expect(byLocation.map(\.counts.delivered) == [4, 1])
            let nextDay = Self.delivered.addingTimeInterval(86_400)
            #expect(try await store.funnel(by: .location, since: nextDay, until: nil).isEmpty)
            #expect(try await store.funnel(by: .location, since: Self.delivered, until: nextDay).count == 2)
        }
    }

    @Test(
        "Attempts to read back from GHL are claimed once: concurrent claims never overlap",
        arguments: StoreKind.available
    )
    func reconcileClaimsDoNotOverlap(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await Self.deliver(30, to: store)
            let now = Self.delivered.addingTimeInterval(3_600)
            let claims = try await withThrowingTaskGroup(of: [AttemptRecord].self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await store.claimAttemptsToReconcile(
                            deliveredSince: Self.delivered.addingTimeInterval(-86_400),
                            reconciledBefore: now.addingTimeInterval(-600),
                            limit: 10,
                            at: now
                        )
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let ids = claims.flatMap { $0.map(\.leadID) }
            #expect(ids.count == 30)
            #expect(Set(ids).count == 30)
            // Read back a minute ago: not again before the interval has passed.
            let again = try await store.claimAttemptsToReconcile(
                deliveredSince: Self.delivered.addingTimeInterval(-86_400),
                reconciledBefore: now.addingTimeInterval(-600),
                limit: 10,
                at: now.addingTimeInterval(60)
            )
            #expect(again.isEmpty)
        }
    }

    @Test(
        "A re-routed attempt counts as re-routed, not lost; an exhausted lead is back in review with its reason",
        arguments: StoreKind.available
    )
    func rerouteAndReview(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await Self.deliver(1, to: store)
            try await store.setSLA(
                SLAChange(
                    leadID: "atx-lead-0",
                    attempt: 1,
                    state: "breached",
                    dueAt: Self.delivered,
                    reroutedAway: true
                ),
                at: Self.delivered
            )
            // Switchboard's own abandon of the old opportunity comes back as a webhook: still not "lost".
            _ = try await store.track(
                [Self.event("w1", after: 60, .opportunity(.init(id: "o0", status: "abandoned")))],
                rules: .standard,
                at: Self.delivered
            )
            let row = try #require(try await store.funnel(by: .location, since: nil, until: nil).first)
            #expect(row.counts.rerouted == 1 && row.counts.lost == 0)
            let attempt = try #require(try await store.attempts(ofLead: "atx-lead-0").first)
            #expect(attempt.slaState == "breached")
            #expect(attempt.slaDueAt == Self.delivered)

            try await store.flagForReview(
                leadID: "atx-lead-0",
                reason: "slaExhausted",
                followUp: [
                    NewJob(kind: .notify, leadID: "atx-lead-0", step: "lead.sla_exhausted:ops", runAt: Self.delivered)
                ],
                at: Self.delivered
            )
            let lead = try #require(try await store.lead(id: "atx-lead-0"))
            #expect(lead.status == .review)
            #expect(lead.reviewReason == "slaExhausted")
            #expect(try await store.pendingJobCount(kind: .notify) == 1)
            let review = try await store.leads(matching: LeadQuery(status: .review))
            #expect(review.leads.map(\.id) == ["atx-lead-0"])
        }
    }

    @Test(
        "A call made before the delivery's last step is kept, and counts once the attempt starts",
        arguments: StoreKind.available
    )
    func earlyEventsWaitForTheAttempt(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await Self.deliver(1, to: store)
            // A second lead to the same gym, its contact upserted but its workflow step not done yet.
            _ = try await store.accept([Fixtures.intake("late")])
            _ = try await store.record(
                Fixtures.assignment("late", to: "atx"),
                forLead: "late",
                slot: nil,
                limits: .unlimited,
                manual: false,
                completing: nil,
                at: Self.delivered
            )
            var pending = DeliveryRecord(
                leadID: "late",
                ghlLocationID: "ghl-atx",
                contactID: "c-late",
                updatedAt: Self.delivered
            )
            try await store.saveDelivery(pending)
            let early = try await store.track(
                [Self.humanSMS("e1", contact: "c-late", after: 5), Self.humanSMS("e1", contact: "c-late", after: 5)],
                rules: .standard,
                at: Self.delivered.addingTimeInterval(5)
            )
            #expect(early == [.early(leadID: "late"), .duplicate(leadID: "late")])
            #expect(try await store.attempts(ofLead: "late").isEmpty)
            pending.state = .delivered
            pending.updatedAt = Self.delivered.addingTimeInterval(20)
            try await store.saveDelivery(pending)
            let attempt = try #require(try await store.attempts(ofLead: "late").first)
            #expect(attempt.progress.firstTouchAt == Self.delivered.addingTimeInterval(5))
            #expect(attempt.speedSeconds == 0)
            #expect(try await store.timeline(ofLead: "late").map(\.note.kind) == ["touch"])
            let row = try #require(try await store.funnel(by: .location, since: nil, until: nil).first)
            #expect(row.counts.delivered == 2 && row.counts.attempted == 1)
        }
    }
}
