import AsyncHTTPClient
import Crypto
import Delivery
import Foundation
import HTTPTypes
import HighLevel
import HummingbirdTesting
import LeadRouting
import LeadTracking
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Notifications
import Storage
import SwitchboardServer
import SwitchboardTesting
import Synchronization
import Testing

@testable import HighLevelSandbox

@Suite("Following delivered leads to their outcome through GHL's webhooks (sandbox)")
struct ConversionEndToEndTests {
    /// What a test gets: the sandbox and its URL, the service's client, the sub-account ids by location.
    struct Loop: Sendable {
        let sandbox: SandboxServer
        let sandboxURL: URL
        let client: any TestClientProtocol
        let subAccounts: [String: String]
        /// The service's and the sandbox's clock (running at real speed; tests move it on to reach a deadline).
        let clock: TestClock
        /// Which run of the service this is (0, then 1 … after restarts).
        let run: Int

        /// Calls a staff endpoint of the sandbox (agency token).
        @discardableResult
        func staff(_ method: HTTPMethod, _ path: String, _ json: String) async throws -> [String: Any] {
            var request = HTTPClientRequest(url: "\(sandboxURL)/_sandbox/\(path)")
            request.method = method
            request.headers.add(name: "Authorization", value: "Bearer \(sandbox.configuration.agencyToken)")
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1 << 20)
            #expect((200..<300).contains(Int(response.status.code)), "\(path): \(String(buffer: body))")
            return (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
        }

        /// The lead as the API shows it, once `condition` holds (or after 60 s).
        func lead(_ id: String, until condition: ([String: Any]) -> Bool) async throws -> [String: Any] {
            // Generous: the wait ends as soon as the condition holds; a machine busy with the suite is slow.
            let deadline = ContinuousClock.now + .seconds(60)
            var lead: [String: Any] = [:]
            while ContinuousClock.now < deadline {
                lead = try await client.api(.get, "/v1/leads/\(id)").json()
                if condition(lead) { return lead }
                try await Task.sleep(for: .milliseconds(25))
            }
            return lead
        }

        /// The lead's first attempt, once delivered.
        func deliveredAttempt(_ id: String) async throws -> [String: Any] {
            let lead = try await lead(id) { (($0["attempts"] as? [[String: Any]])?.count ?? 0) > 0 }
            return try #require((lead["attempts"] as? [[String: Any]])?.first, "lead \(id) was not delivered")
        }

        /// Submits a lead through the API. - Returns: its id.
        func submit(postalCode: String, email: String, source: String = "facebook") async throws -> String {
            let response = try await client.api(
                .post,
                "/v1/leads",
                json: #"{"postalCode":"\#(postalCode)","email":"\#(email)","firstName":"Ana","source":"\#(source)"}"#
            )
            return try #require(try response.json()["id"] as? String)
        }

        func funnel(_ query: String = "groupBy=location") async throws -> [String: Any] {
            try await client.api(.get, "/v1/reports/funnel?\(query)").json()
        }
    }

    /// A sandbox with three gyms' sub-accounts and a service delivering into them and following their leads.
    /// - Parameters:
    ///   - start: Where the shared clock starts (now by default); it runs at real speed from there.
    ///   - downtownHours: The opening hours of atx-downtown (none: always open).
    ///   - runs: How many times the service is started on the same store and sandbox (a restart between runs).
    func withLoop(
        sla: SLAPolicy = .off,
        start: Date? = nil,
        downtownHours: String? = nil,
        runs: Int = 1,
        reconcileInterval: Duration? = nil,
        notifications: NotificationSettings = NotificationSettings(),
        _ body: @Sendable (Loop) async throws -> Void
    ) async throws {
        var configuration = SandboxServer.Configuration(port: 0, snapshotLoadDelay: .zero)
        configuration.workflowMessageDelay = .milliseconds(50)
        let clock = TestClock(start ?? Date())
        clock.run()
        try await SandboxServer.withRunning(configuration, now: { clock.now }) { sandbox, url in
            let ids = try await sandbox.seed(
                subAccounts: [
                    ("Austin", "78701", "America/Chicago"), ("Dallas", "75201", "America/Chicago"),
                    ("Austin South", "78745", "America/Chicago"),
                ],
                snapshotID: SandboxSnapshot.franchiseStandard.id
            )
            let subAccounts = ["atx-downtown": ids[0], "dallas-uptown": ids[1], "atx-south": ids[2]]
            var service = try await TestService(
                locations: [
                    Fixtures.location("atx-downtown", zip: "78701", daily: 100, hours: downtownHours),
                    Fixtures.location("dallas-uptown", zip: "75201", daily: 100),
                    Fixtures.location("atx-south", zip: "78745", daily: 100),
                ],
                ghlLocationIDs: subAccounts,
                clock: clock
            )
            service.configuration.sla = sla
            service.configuration.reconcileInterval = reconcileInterval
            service.notifications = notifications
            service.configuration.webhookVerification = WebhookVerifier.Configuration(
                ed25519PublicKey: sandbox.webhooks.signingKey.publicKey,
                rsaPublicKey: nil
            )
            service.delivery = DeliverySetup(
                client: HighLevelClient(
                    configuration: .init(
                        baseURL: url,
                        companyID: sandbox.configuration.companyID,
                        credentials: .privateIntegration(token: sandbox.configuration.agencyToken)
                    )
                ),
                configuration: DeliveryConfiguration(
                    pipelineName: "Memberships",
                    workflowName: "New lead nurture",
                    pollInterval: .milliseconds(50)
                )
            )
            for run in 0..<runs {
                try await service.test(.live) { client in
                    let port = try #require(client.port)
                    sandbox.webhooks.setURLs([URL(string: "http://127.0.0.1:\(port)/webhooks/ghl")!])
                    try await body(
                        Loop(
                            sandbox: sandbox,
                            sandboxURL: url,
                            client: client,
                            subAccounts: subAccounts,
                            clock: clock,
                            run: run
                        )
                    )
                }
            }
        }
    }

    /// Staff work a lead from first call to a won membership. - Returns: the lead as the API shows it after.
    static func workToWon(
        _ lead: String,
        in loop: Loop,
        location: String = "atx-downtown"
    ) async throws
        -> [String: Any]
    {
        let attempt = try await loop.deliveredAttempt(lead)
        let contact = try #require(attempt["contactId"] as? String)
        let sub = try #require(loop.subAccounts[location])
        // The workflow's automated SMS comes first: it must not count.
        _ = try await loop.lead(lead) { lead in
            (lead["timeline"] as? [[String: Any]])?.contains { $0["kind"] as? String == "automated" } == true
        }
        try await loop.staff(
            .POST,
            "locations/\(sub)/contacts/\(contact)/messages",
            #"{"direction":"outbound","messageType":"CALL","userId":"coach-1","callStatus":"completed","callDuration":140}"#
        )
        let booked = try await loop.staff(
            .POST,
            "locations/\(sub)/contacts/\(contact)/appointments",
            #"{"status":"confirmed"}"#
        )
        let appointment = try #require(booked["appointmentId"] as? String)
        try await loop.staff(.PUT, "locations/\(sub)/appointments/\(appointment)", #"{"status":"showed"}"#)
        let delivered = try await loop.lead(lead) { ($0["delivery"] as? [String: Any])?["opportunityId"] != nil }
        let opportunity = try #require((delivered["delivery"] as? [String: Any])?["opportunityId"] as? String)
        try await loop.staff(
            .PUT,
            "locations/\(sub)/opportunities/\(opportunity)",
            #"{"status":"won","monetaryValue":499,"stageName":"Joined"}"#
        )
        // Webhooks may come out of order: wait for every mark.
        return try await loop.lead(lead) { lead in
            let marks = (lead["attempts"] as? [[String: Any]])?.first?["funnel"] as? [String: Any] ?? [:]
            return ["attempted", "contacted", "booked", "showed", "won"].allSatisfy { marks[$0] as? Bool == true }
        }
    }

    @Test("A lead is followed from delivery to won: the automated SMS does not count, the coach's call does")
    func deliveredToWon() async throws {
        try await withLoop { loop in
            let id = try await loop.submit(postalCode: "78703", email: "ana@example.com")
            let lead = try await Self.workToWon(id, in: loop)
            let attempt = try #require((lead["attempts"] as? [[String: Any]])?.first)
            #expect(attempt["locationId"] as? String == "atx-downtown")
            #expect(attempt["reason"] as? String == "initial")
            let marks = try #require(attempt["funnel"] as? [String: Any])
            for mark in ["attempted", "contacted", "booked", "showed", "won"] {
                #expect(marks[mark] as? Bool == true, "\(mark)")
            }
            #expect(marks["revenue"] as? Double == 499)
            #expect(attempt["speedToLeadSeconds"] as? Double != nil)
            let kinds = (lead["timeline"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
            // First the opportunity delivery created, then the workflow's SMS, then the coach.
            #expect(kinds.first == "opportunity")
            #expect(kinds.dropFirst().first == "automated")
            #expect(Set(kinds).isSuperset(of: ["automated", "touch", "appointment", "opportunity"]))
            // The redundant OpportunityUpdate beside each specific event adds no line of its own.
            let won = (lead["timeline"] as? [[String: Any]] ?? []).filter {
                ($0["text"] as? String)?.contains("status won") == true
            }
            #expect(won.count == 1)

            let funnel = try await loop.funnel()
            let row = try #require(
                (funnel["rows"] as? [[String: Any]])?.first { $0["key"] as? String == "atx-downtown" }
            )
            #expect(row["delivered"] as? Int == 1)
            #expect(row["attempted"] as? Int == 1)
            #expect(row["won"] as? Int == 1)
            #expect(row["revenue"] as? Double == 499)
            #expect((row["speedToLead"] as? [String: Any])?["n"] as? Int == 1)
            let bySource = try await loop.funnel("groupBy=source")
            #expect((bySource["rows"] as? [[String: Any]])?.first?["key"] as? String == "facebook")
            #expect((bySource["total"] as? [String: Any])?["won"] as? Int == 1)

            let csv = try await loop.client.execute(
                uri: "/v1/reports/funnel?groupBy=location",
                method: .get,
                headers: [.authorization: "Bearer \(TestService.token)", .accept: "text/csv"],
                body: nil
            )
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            let lines = csv.text.split(separator: "\r\n")
            #expect(lines.first?.hasPrefix("location,delivered,attempted") == true)
            #expect(lines.contains { $0.hasPrefix("atx-downtown,1,1,1,1,1,1,0,0,499.0,") })
        }
    }

    @Test("Pipeline stages named as funnel steps count: 'Trial booked' books the lead, 'Joined' wins it")
    func stagesAsFunnelSteps() async throws {
        try await withLoop { loop in
            let id = try await loop.submit(postalCode: "78703", email: "stage@example.com")
            let sub = try #require(loop.subAccounts["atx-downtown"])
            let delivered = try await loop.lead(id) {
                ($0["delivery"] as? [String: Any])?["opportunityId"] as? String != nil
            }
            let opportunity = try #require((delivered["delivery"] as? [String: Any])?["opportunityId"] as? String)
            func marks(_ lead: [String: Any]) -> [String: Any] {
                (lead["attempts"] as? [[String: Any]])?.first?["funnel"] as? [String: Any] ?? [:]
            }
            try await loop.staff(.PUT, "locations/\(sub)/opportunities/\(opportunity)", #"{"stageName":"Contacted"}"#)
            try await loop.staff(
                .PUT,
                "locations/\(sub)/opportunities/\(opportunity)",
                #"{"stageName":"Trial booked"}"#
            )
            let booked = try await loop.lead(id) { marks($0)["booked"] as? Bool == true }
            #expect(marks(booked)["showed"] as? Bool == false && marks(booked)["won"] as? Bool == false)
            // The timeline names the stage, not its id.
            let notes = (booked["timeline"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
            #expect(notes.contains { $0.contains("stage Trial booked") })
            // Moved back a stage, the lead stays booked; on to 'Joined', it is won with the status still open.
            try await loop.staff(.PUT, "locations/\(sub)/opportunities/\(opportunity)", #"{"stageName":"Contacted"}"#)
            try await loop.staff(
                .PUT,
                "locations/\(sub)/opportunities/\(opportunity)",
                #"{"stageName":"Joined","monetaryValue":120}"#
            )
            let won = try await loop.lead(id) { marks($0)["won"] as? Bool == true }
            #expect(marks(won)["booked"] as? Bool == true)
            #expect(marks(won)["revenue"] as? Double == 120)
            let row = try #require(
                (try await loop.funnel()["rows"] as? [[String: Any]])?.first { $0["key"] as? String == "atx-downtown" }
            )
            #expect(row["booked"] as? Int == 1 && row["won"] as? Int == 1 && row["revenue"] as? Double == 120)
        }
    }

    @Test("Duplicated and reordered webhooks give the same funnel as clean ones")
    func duplicatesAndReorderingChangeNothing() async throws {
        try await withLoop { loop in
            let clean = try await loop.submit(postalCode: "78703", email: "clean@example.com")
            _ = try await Self.workToWon(clean, in: loop)
            let cleanRow = try await loop.funnel()

            let messy = try await loop.submit(postalCode: "75201", email: "messy@example.com")
            _ = try await loop.deliveredAttempt(messy)
            _ = try await loop.lead(messy) { lead in
                (lead["timeline"] as? [[String: Any]])?.contains { $0["kind"] as? String == "automated" } == true
            }
            loop.sandbox.webhooks.duplicateNext(20)
            loop.sandbox.webhooks.reorderNext(4)
            let worked = try await Self.workToWon(messy, in: loop, location: "dallas-uptown")
            // Every webhook came twice: each event is still one line of the timeline.
            let kinds = (worked["timeline"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
            #expect(kinds.filter { $0 == "touch" }.count == 1)
            #expect(kinds.filter { $0 == "appointment" }.count == 2)
            let funnel = try await loop.funnel()
            let rows = try #require(funnel["rows"] as? [[String: Any]])
            let atx = try #require(rows.first { $0["key"] as? String == "atx-downtown" })
            let dallas = try #require(rows.first { $0["key"] as? String == "dallas-uptown" })
            for field in ["delivered", "attempted", "contacted", "booked", "showed", "won", "lost", "revenue"] {
                #expect("\(atx[field] ?? "")" == "\(dallas[field] ?? "")", "\(field)")
            }
            #expect(((cleanRow["rows"] as? [[String: Any]])?.first?["won"] as? Int) == 1)
        }
    }

    /// An SLA of a minute, counted on every second, re-routing once.
    static let minuteSLA = SLAPolicy(seconds: 60, clock: .always, maxReroutes: 1, graceSeconds: 10)

    @Test("Nobody works the lead: re-routed once to the next gym (old one cleaned up), then sent to review")
    func rerouteOnceThenEscalate() async throws {
        try await WebhookReceiver.withRunning { receiver in
            let owner = try EndpointGroup(
                name: "owner",
                urls: [receiver.url("owner")],
                events: [.slaWarning, .slaBreached, .rerouted, .slaExhausted]
            )
            try await rerouteOnceThenEscalate(notifying: NotificationSettings(groups: [owner]), receiver: receiver)
        }
    }

    private func rerouteOnceThenEscalate(
        notifying notifications: NotificationSettings,
        receiver: WebhookReceiver
    ) async throws {
        try await withLoop(sla: Self.minuteSLA, notifications: notifications) { loop in
            let id = try await loop.submit(postalCode: "78703", email: "nobody@example.com")
            let first = try await loop.deliveredAttempt(id)
            #expect(first["locationId"] as? String == "atx-downtown")
            let running = try await loop.lead(id) {
                ($0["attempts"] as? [[String: Any]])?.first?["slaState"] as? String == "running"
            }
            #expect((running["attempts"] as? [[String: Any]])?.first?["slaDueAt"] as? String != nil)

            // The minute and the grace pass with only the workflow's automated SMS: re-routed.
            loop.clock.advance(by: 75)
            let rerouted = try await loop.lead(id) { (($0["attempts"] as? [[String: Any]])?.count ?? 0) == 2 }
            let attempts = try #require(rerouted["attempts"] as? [[String: Any]])
            #expect(attempts.count == 2)
            #expect(rerouted["locationId"] as? String == "atx-south")
            #expect(attempts.last?["reason"] as? String == "slaReroute")
            #expect(attempts.last?["locationId"] as? String == "atx-south")
            let old = try await loop.lead(id) { lead in
                (lead["attempts"] as? [[String: Any]])?.first?["slaState"] as? String == "breached"
            }
            let oldAttempt = try #require((old["attempts"] as? [[String: Any]])?.first)
            #expect((oldAttempt["funnel"] as? [String: Any])?["reroutedAway"] as? Bool == true)
            // The old gym: tagged, out of its nurture workflow, opportunity abandoned.
            let contact = try #require(first["contactId"] as? String)
            let state = try await loop.sandbox.contactState(
                contact,
                locationID: try #require(loop.subAccounts["atx-downtown"])
            )
            #expect(state.tags.contains("switchboard:rerouted"))
            #expect(state.tags.contains("switchboard:rerouted-to:atx-south"))
            #expect(!state.enrolled)
            #expect(state.opportunityStatuses == ["abandoned"])
            let funnel = try await loop.funnel()
            let rows = try #require(funnel["rows"] as? [[String: Any]])
            let downtown = try #require(rows.first { $0["key"] as? String == "atx-downtown" })
            #expect(downtown["rerouted"] as? Int == 1)
            #expect(downtown["lost"] as? Int == 0)
            #expect(rows.first { $0["key"] as? String == "atx-south" }?["delivered"] as? Int == 1)

            // The second gym does not work it either: the maximum is one re-route, so it goes to review.
            _ = try await loop.lead(id) { lead in
                (lead["attempts"] as? [[String: Any]])?.last?["slaState"] as? String == "running"
            }
            loop.clock.advance(by: 75)
            let escalated = try await loop.lead(id) { $0["status"] as? String == "review" }
            #expect(escalated["status"] as? String == "review")
            #expect(escalated["reviewReason"] as? String == "slaExhausted")
            #expect((escalated["attempts"] as? [[String: Any]])?.count == 2)

            let types = try await receiver.wait { $0.count >= 8 }.compactMap { $0.json["type"] as? String }
            // Two reminders per gym; the breach and re-route at the first; the breach and exhaustion at the second.
            #expect(types.filter { $0 == "lead.sla_warning" }.count == 4)
            #expect(types.filter { $0 == "lead.sla_breached" }.count == 2)
            #expect(types.filter { $0 == "lead.rerouted" }.count == 1)
            #expect(types.filter { $0 == "lead.sla_exhausted" }.count == 1)
        }
    }

    @Test("A call whose webhook was lost is found in GHL's API at the deadline: the SLA is met, no re-route")
    func lostWebhookFoundBeforeReroute() async throws {
        try await withLoop(sla: Self.minuteSLA) { loop in
            let id = try await loop.submit(postalCode: "78703", email: "lost@example.com")
            let attempt = try await loop.deliveredAttempt(id)
            let contact = try #require(attempt["contactId"] as? String)
            _ = try await loop.lead(id) { lead in
                (lead["timeline"] as? [[String: Any]])?.contains { $0["kind"] as? String == "automated" } == true
            }
            loop.sandbox.webhooks.dropNext(1)
            try await loop.staff(
                .POST,
                "locations/\(try #require(loop.subAccounts["atx-downtown"]))/contacts/\(contact)/messages",
                #"{"direction":"outbound","messageType":"SMS","userId":"coach-2","source":"app"}"#
            )
            try await Task.sleep(for: .milliseconds(300))
            let before = try await loop.lead(id) { _ in true }
            #expect((before["attempts"] as? [[String: Any]])?.first?["firstTouchAt"] is NSNull)
            loop.clock.advance(by: 75)
            let met = try await loop.lead(id) { lead in
                (lead["attempts"] as? [[String: Any]])?.first?["slaState"] as? String == "met"
            }
            let attempts = try #require(met["attempts"] as? [[String: Any]])
            #expect(attempts.count == 1)
            #expect(attempts.first?["slaState"] as? String == "met")
            #expect(attempts.first?["firstTouchAt"] as? String != nil)
            #expect(met["locationId"] as? String == "atx-downtown")
        }
    }

    @Test("A worked lead's SLA is met and nothing moves; SLAs off leave the timer off")
    func workedLeadMeetsSLA() async throws {
        try await withLoop(sla: Self.minuteSLA) { loop in
            let id = try await loop.submit(postalCode: "78703", email: "worked@example.com")
            _ = try await Self.workToWon(id, in: loop)
            loop.clock.advance(by: 75)
            let lead = try await loop.lead(id) { lead in
                (lead["attempts"] as? [[String: Any]])?.first?["slaState"] as? String == "met"
            }
            #expect((lead["attempts"] as? [[String: Any]])?.first?["slaState"] as? String == "met")
            #expect((lead["attempts"] as? [[String: Any]])?.count == 1)
        }
        try await withLoop { loop in
            let id = try await loop.submit(postalCode: "78703", email: "off@example.com")
            let attempt = try await loop.deliveredAttempt(id)
            #expect(attempt["slaState"] as? String == "off")
        }
    }

    @Test("Delivered 10 minutes before Friday's closing: the SLA resumes Monday at opening, across the DST change")
    func slaAcrossClosingAndDaylightSaving() async throws {
        // Friday 2026-03-06 20:50 CST; closed the weekend; DST starts Sunday; Monday opens 06:00 CDT (11:00Z).
        let friday = try Date("2026-03-07T02:50:00Z", strategy: .iso8601)
        let sla = SLAPolicy(seconds: 15 * 60, clock: .business, maxReroutes: 1, graceSeconds: 120)
        try await withLoop(sla: sla, start: friday, downtownHours: "mon-fri 06:00-21:00") { loop in
            let id = try await loop.submit(postalCode: "78703", email: "friday@example.com")
            let lead = try await loop.lead(id) {
                ($0["attempts"] as? [[String: Any]])?.first?["slaState"] as? String == "running"
            }
            let attempt = try #require((lead["attempts"] as? [[String: Any]])?.first)
            let due = try Date(try #require(attempt["slaDueAt"] as? String), strategy: .iso8601)
            let expected = try Date("2026-03-09T11:05:00Z", strategy: .iso8601)
            #expect(due >= expected && due < expected.addingTimeInterval(30), "due \(due)")
            // Monday 06:04 CDT: within the SLA (the weekend did not count).
            loop.clock.set(try Date("2026-03-09T11:04:00Z", strategy: .iso8601))
            try await Task.sleep(for: .milliseconds(500))
            let waiting = try await loop.lead(id) { _ in true }
            #expect((waiting["attempts"] as? [[String: Any]])?.count == 1)
            #expect(waiting["locationId"] as? String == "atx-downtown")
            // 06:08 CDT: past the deadline and the grace: re-routed.
            loop.clock.set(try Date("2026-03-09T11:08:00Z", strategy: .iso8601))
            let rerouted = try await loop.lead(id) { (($0["attempts"] as? [[String: Any]])?.count ?? 0) == 2 }
            #expect(rerouted["locationId"] as? String == "atx-south")
        }
    }

    @Test("A restart in the middle of a timer: the next start re-routes the lead when its SLA runs out")
    func timerSurvivesRestart() async throws {
        let leadID = Mutex<String?>(nil)
        try await withLoop(sla: Self.minuteSLA, runs: 2) { loop in
            if loop.run == 0 {
                let id = try await loop.submit(postalCode: "78703", email: "restart@example.com")
                _ = try await loop.lead(id) {
                    ($0["attempts"] as? [[String: Any]])?.first?["slaState"] as? String == "running"
                }
                leadID.withLock { $0 = id }
                return  // the service stops here, with the timer running
            }
            let id = try #require(leadID.withLock { $0 })
            loop.clock.advance(by: 75)
            let rerouted = try await loop.lead(id) { (($0["attempts"] as? [[String: Any]])?.count ?? 0) == 2 }
            #expect(rerouted["locationId"] as? String == "atx-south")
            #expect((rerouted["attempts"] as? [[String: Any]])?.first?["slaState"] as? String == "breached")
        }
    }

    @Test("A reply whose webhook was lost is found by the reconciler reading GHL back, SLA or not")
    func reconcilerFindsLostWebhook() async throws {
        try await withLoop(reconcileInterval: .milliseconds(300)) { loop in
            let id = try await loop.submit(postalCode: "78703", email: "reconcile@example.com")
            let attempt = try await loop.deliveredAttempt(id)
            let contact = try #require(attempt["contactId"] as? String)
            _ = try await loop.lead(id) { lead in
                (lead["timeline"] as? [[String: Any]])?.contains { $0["kind"] as? String == "automated" } == true
            }
            loop.sandbox.webhooks.dropNext(1)
            try await loop.staff(
                .POST,
                "locations/\(try #require(loop.subAccounts["atx-downtown"]))/contacts/\(contact)/messages",
                #"{"direction":"inbound","messageType":"SMS","body":"Yes, tomorrow at 6 works"}"#
            )
            #expect(loop.sandbox.webhooks.sent().last?.dropped == true)
            let found = try await loop.lead(id) { lead in
                ((lead["attempts"] as? [[String: Any]])?.first?["funnel"] as? [String: Any])?["contacted"] as? Bool
                    == true
            }
            let marks = try #require((found["attempts"] as? [[String: Any]])?.first?["funnel"] as? [String: Any])
            #expect(marks["contacted"] as? Bool == true)
            #expect(marks["attempted"] as? Bool == false)
            let timeline = found["timeline"] as? [[String: Any]] ?? []
            #expect(timeline.contains { $0["kind"] as? String == "reply" && $0["type"] as? String == "InboundMessage" })
        }
    }

    @Test("A gym's own SLA and exemption (slaMinutes, slaExempt on the location) override the franchise's")
    func perLocationSLA() async throws {
        try await withLoop(sla: Self.minuteSLA) { loop in
            let exempt = try await loop.client.api(.patch, "/v1/locations/atx-downtown", json: #"{"slaExempt":true}"#)
            #expect(exempt.status == .ok)
            #expect(try exempt.json()["slaExempt"] as? Bool == true)
            let id = try await loop.submit(postalCode: "78703", email: "exempt@example.com")
            let lead = try await loop.lead(id) {
                ($0["attempts"] as? [[String: Any]])?.first?["slaState"] as? String == "exempt"
            }
            #expect((lead["attempts"] as? [[String: Any]])?.first?["slaState"] as? String == "exempt")

            let bad = try await loop.client.api(.patch, "/v1/locations/dallas-uptown", json: #"{"slaMinutes":0}"#)
            #expect(bad.status == .badRequest)
            #expect(try bad.json()["field"] as? String == "slaMinutes")
            _ = try await loop.client.api(.patch, "/v1/locations/dallas-uptown", json: #"{"slaMinutes":120}"#)
            let dallas = try await loop.submit(postalCode: "75201", email: "dallas@example.com")
            let running = try await loop.lead(dallas) {
                ($0["attempts"] as? [[String: Any]])?.first?["slaState"] as? String == "running"
            }
            let attempt = try #require((running["attempts"] as? [[String: Any]])?.first)
            let delivered = try Date(try #require(attempt["deliveredAt"] as? String), strategy: .iso8601)
            let due = try Date(try #require(attempt["slaDueAt"] as? String), strategy: .iso8601)
            #expect(abs(due.timeIntervalSince(delivered) - 7_200) < 2)
        }
    }

    @Test("Demo traffic: simulated leads arrive as signed webhooks and simulated staff work the delivered ones")
    func demoTrafficLives() async throws {
        try await withLoop { loop in
            let intake = try #require(
                try await loop.sandbox.seed(subAccounts: [("Intake", nil, "America/Chicago")]).first
            )
            var logger = Logger(label: "demo")
            logger.logLevel = .error
            let traffic = loop.sandbox.demoTraffic(
                intakeSubAccountID: intake,
                leadEvery: .milliseconds(150),
                minute: .milliseconds(20),
                tick: .milliseconds(50),
                logger: logger
            )
            let running = Task { try await traffic.run() }
            defer { running.cancel() }
            // Generous: on a machine busy with the rest of the suite a delivery can take seconds.
            let deadline = ContinuousClock.now + .seconds(90)
            var total: [String: Any] = [:]
            let working = loop.subAccounts.values.contains { DemoTraffic.Habit.of($0) != .never }
            while ContinuousClock.now < deadline {
                total = try await loop.funnel()["total"] as? [String: Any] ?? [:]
                if (total["delivered"] as? Int ?? 0) >= 5, !working || (total["attempted"] as? Int ?? 0) >= 1 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect((total["delivered"] as? Int ?? 0) >= 5)
            if working { #expect((total["attempted"] as? Int ?? 0) >= 1) }
            // The new leads (ContactCreate in the intake sub-account; deliveries make contacts in the gyms too).
            let leads = loop.sandbox.webhooks.sent().filter {
                $0.type == "ContactCreate" && String(decoding: $0.body, as: UTF8.self).contains(intake)
            }
            #expect(leads.count >= 5)
            #expect(leads.allSatisfy { String(decoding: $0.body, as: UTF8.self).contains("demo:simulated") })
        }
    }
}
