import Delivery
import Foundation
import HTTPTypes
import HighLevel
import HighLevelSandbox
import HummingbirdTesting
import LeadRouting
import Notifications
import Storage
import SwitchboardServer
import SwitchboardTesting
import Testing

@Suite("Delivery into GHL (sandbox)")
struct DeliveryEndToEndTests {
    /// A sandbox with two franchise sub-accounts (snapshot loaded at once) and a service delivering into it.
    private func withDelivery(
        faults: FaultPlan = .none,
        ghost: Bool = false,
        snapshotLoadDelay: Duration = .zero,
        pipelineName: String = "Memberships",
        missingResourceAttempts: Int = 6,
        notifications: NotificationSettings = NotificationSettings(),
        schedule: RetrySchedule = RetrySchedule(
            delays: [
                .zero, .milliseconds(50), .milliseconds(100), .milliseconds(200), .milliseconds(400),
                .milliseconds(800), .seconds(1), .seconds(2),
            ],
            jitter: 0.2
        ),
        _ body: @Sendable (SandboxServer, TestService, [String: String], any TestClientProtocol) async throws -> Void
    ) async throws {
        let configuration = SandboxServer.Configuration(port: 0, snapshotLoadDelay: snapshotLoadDelay, faults: faults)
        try await SandboxServer.withRunning(configuration) { sandbox, url in
            let ids = try await sandbox.seed(
                subAccounts: [("Austin", "78701", "America/Chicago"), ("Dallas", "75201", "America/Chicago")],
                snapshotID: SandboxSnapshot.franchiseStandard.id
            )
            let sub = ["atx-downtown": ghost ? "no-such-sub-account" : ids[0], "dallas-uptown": ids[1]]
            var service = try await TestService(
                locations: [
                    Fixtures.location("atx-downtown", zip: "78701", daily: 100),
                    Fixtures.location("dallas-uptown", zip: "75201", daily: 100),
                ],
                ghlLocationIDs: sub
            )
            service.clock.set(Date())
            service.clock.run()
            service.notifications = notifications
            let client = HighLevelClient(
                configuration: .init(
                    baseURL: url,
                    companyID: sandbox.configuration.companyID,
                    credentials: .privateIntegration(token: sandbox.configuration.agencyToken),
                    retry: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(10), maxDelay: .milliseconds(20))
                )
            )
            service.delivery = DeliverySetup(
                client: client,
                configuration: DeliveryConfiguration(
                    pipelineName: pipelineName,
                    workflowName: "New lead nurture",
                    lease: .seconds(5),
                    pollInterval: .milliseconds(50),
                    schedule: schedule,
                    missingResourceAttempts: missingResourceAttempts
                )
            )
            let realIDs = ["atx-downtown": ids[0], "dallas-uptown": ids[1]]
            let ready = service
            try await ready.test { client in try await body(sandbox, ready, realIDs, client) }
        }
    }

    /// Queues a contact step for the lead and has a "dead" worker claim it (lease 1 s); retried while the live
    /// worker happens to take the fresh step first.
    private func holdAsDeadWorker(lead: String, store: SQLiteStore, clock: TestClock) async throws -> Bool {
        for _ in 0..<20 {
            try await store.enqueue(
                [NewJob(kind: .deliver, leadID: lead, step: "contact", runAt: clock.now)],
                at: clock.now
            )
            let claimed = try await store.claimJobs(
                kind: .deliver,
                limit: 100,
                owner: "dead-worker",
                leaseFor: .seconds(1),
                now: clock.now
            )
            if claimed.contains(where: { $0.leadID == lead && $0.step == "contact" }) { return true }
        }
        return false
    }

    /// Waits until the lead's delivery leaves `pending` (or 30 s pass).
    private func settledDelivery(
        _ id: String,
        _ client: any TestClientProtocol,
        timeout: Duration = .seconds(90)
    ) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let lead = try await client.api(.get, "/v1/leads/\(id)").json()
            if let delivery = lead["delivery"] as? [String: Any], delivery["state"] as? String != "pending" {
                return delivery
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        return [:]
    }

    private func submit(_ json: String, _ client: any TestClientProtocol) async throws -> String {
        let response = try await client.api(.post, "/v1/leads", json: json)
        return try #require(try response.json()["id"] as? String)
    }

    @Test("A routed lead lands once in its location's sub-account: contact with tags, opportunity, workflow")
    func deliversOnce() async throws {
        try await withDelivery { sandbox, _, ids, client in
            let first = try await submit(
                #"{"postalCode":"78703","firstName":"Ana","email":"ana@example.com","score":90}"#,
                client
            )
            let delivery = try await settledDelivery(first, client)
            #expect(delivery["state"] as? String == "delivered")
            #expect(delivery["ghlLocationId"] as? String == ids["atx-downtown"])
            #expect(delivery["opportunityId"] is String)
            #expect(
                (delivery["steps"] as? [[String: Any]])?.compactMap { $0["step"] as? String } == [
                    "contact", "opportunity", "workflow",
                ]
            )
            #expect(try await sandbox.contactCount(locationID: ids["atx-downtown"]!) == 1)

            // The same person again (sticky): updated, not duplicated.
            let again = try await submit(#"{"postalCode":"78703","email":"ana@example.com"}"#, client)
            #expect(try await settledDelivery(again, client)["state"] as? String == "delivered")
            #expect(try await sandbox.contactCount(locationID: ids["atx-downtown"]!) == 1)
            #expect(try await sandbox.contactCount(locationID: ids["dallas-uptown"]!) == 0)
        }
    }

    @Test("Leads sent while the sub-accounts' snapshot still loads are retried, then delivered once it lands")
    func snapshotStillLoading() async throws {
        try await withDelivery(snapshotLoadDelay: .seconds(2), missingResourceAttempts: 8) { sandbox, _, ids, client in
            var leads: [String] = []
            for index in 0..<40 {
                let zip = index.isMultiple(of: 2) ? "78703" : "75204"
                leads.append(try await submit(#"{"postalCode":"\#(zip)","email":"s\#(index)@example.com"}"#, client))
            }
            for lead in leads {
                let delivery = try await settledDelivery(lead, client)
                let detail = try await client.api(.get, "/v1/leads/\(lead)").text
                #expect(delivery["state"] as? String == "delivered", "\(detail)")
            }
            #expect(try await sandbox.contactCount(locationID: ids["atx-downtown"]!) == 20)
            #expect(try await sandbox.contactCount(locationID: ids["dallas-uptown"]!) == 20)
            // Concurrent first deliveries into a sub-account share one lookup: each field is created once at most.
            let creates = await sandbox.journal.entries.filter { $0.operation == "create-custom-field" }
            for id in ids.values {
                let here = creates.filter { $0.path.contains(id) }
                #expect(here.count <= 3, "\(here.map(\.status))")
                #expect(here.allSatisfy { $0.status == 201 })
            }
        }
    }

    @Test("A pipeline that never appears is a dead letter after the bounded attempts, saying what is missing where")
    func missingPipelineDeadLetter() async throws {
        try await withDelivery(pipelineName: "Personal training", missingResourceAttempts: 3) { _, _, ids, client in
            let lead = try await submit(#"{"postalCode":"78703","email":"pat@example.com"}"#, client)
            let dead = try await settledDelivery(lead, client)
            #expect(dead["state"] as? String == "deadLettered")
            let detail = dead["detail"] as? String ?? ""
            #expect(
                detail.contains("no pipeline named 'Personal training' in sub-account \(ids["atx-downtown"]!)"),
                "\(detail)"
            )
            #expect(detail.contains("3 attempts"), "\(detail)")
        }
    }

    @Test("Several instances creating the same custom field at once: 'already exists' is looked up and used")
    func concurrentFieldCreation() async throws {
        let configuration = SandboxServer.Configuration(port: 0, snapshotLoadDelay: .seconds(600))
        try await SandboxServer.withRunning(configuration) { sandbox, url in
            let ids = try await sandbox.seed(
                subAccounts: [("Austin", "78701", "America/Chicago")],
                snapshotID: SandboxSnapshot.franchiseStandard.id
            )
            let results = try await withThrowingTaskGroup(of: String?.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        // One LeadDelivery per instance: each has its own single-flight, so they race in GHL.
                        let delivery = LeadDelivery(
                            client: HighLevelClient(
                                configuration: .init(
                                    baseURL: url,
                                    companyID: sandbox.configuration.companyID,
                                    credentials: .privateIntegration(token: sandbox.configuration.agencyToken)
                                )
                            ),
                            configuration: DeliveryConfiguration()
                        )
                        let record = LeadRecord(
                            id: "race-\(index)",
                            channel: "api",
                            lead: Fixtures.lead("78703", email: "race\(index)@example.com")
                        )
                        return try await delivery.perform(
                            .contact,
                            lead: record,
                            delivery: DeliveryRecord(leadID: record.id, ghlLocationID: ids[0], updatedAt: Date())
                        ).contactID
                    }
                }
                return try await group.reduce(into: [String?]()) { $0.append($1) }
            }
            #expect(results.count == 8 && results.allSatisfy { $0 != nil })
            let creates = await sandbox.journal.entries.filter { $0.operation == "create-custom-field" }
            #expect(creates.filter { $0.status == 201 }.count == 3, "each of the three fields is made once")
        }
    }

    @Test("With 20 % of GHL calls failing with 5xx, every lead is still delivered exactly once")
    func survivesServerErrors() async throws {
        try await withDelivery(faults: FaultPlan(errorRate: 0.2)) { sandbox, _, ids, client in
            var leads: [String] = []
            for index in 0..<30 {
                let zip = index.isMultiple(of: 2) ? "78703" : "75204"
                leads.append(try await submit(#"{"postalCode":"\#(zip)","email":"p\#(index)@example.com"}"#, client))
            }
            for lead in leads {
                let delivery = try await settledDelivery(lead, client)
                let detail = try await client.api(.get, "/v1/leads/\(lead)").text
                #expect(delivery["state"] as? String == "delivered", "\(detail)")
            }
            #expect(try await sandbox.contactCount(locationID: ids["atx-downtown"]!) == 15)
            #expect(try await sandbox.contactCount(locationID: ids["dallas-uptown"]!) == 15)
        }
    }

    @Test("A permanent error is dead-lettered with GHL's reason; once fixed, replay delivers it (no duplicate)")
    func deadLetterAndReplay() async throws {
        try await withDelivery(ghost: true) { sandbox, _, ids, client in
            let lead = try await submit(#"{"postalCode":"78703","email":"zoe@example.com"}"#, client)
            let dead = try await settledDelivery(lead, client)
            #expect(dead["state"] as? String == "deadLettered")
            #expect((dead["detail"] as? String)?.contains("contact") == true)
            let letters = try await client.api(.get, "/v1/deliveries/dead-letters").json()
            let letter = try #require((letters["deadLetters"] as? [[String: Any]])?.first)
            #expect(letter["leadId"] as? String == lead)
            #expect((letter["lastError"] as? String)?.isEmpty == false)

            // Fix the location's sub-account id, then replay.
            let fixed = try await client.api(
                .patch,
                "/v1/locations/atx-downtown",
                json: #"{"ghlLocationId":"\#(ids["atx-downtown"]!)"}"#
            )
            #expect(fixed.status == .ok)
            let replay = try await client.api(
                .post,
                "/v1/deliveries/replay",
                json: #"{"ids":[\#(letter["id"] as? Int ?? 0)]}"#
            )
            #expect(try replay.json()["replayed"] as? Int == 1)
            let deadline = ContinuousClock.now + .seconds(30)
            var state = ""
            while ContinuousClock.now < deadline && state != "delivered" {
                state =
                    (try await client.api(.get, "/v1/leads/\(lead)").json()["delivery"] as? [String: Any])?["state"]
                    as? String ?? ""
                try await Task.sleep(for: .milliseconds(25))
            }
            #expect(state == "delivered")
            #expect(try await sandbox.contactCount(locationID: ids["atx-downtown"]!) == 1)
            let none = try await client.api(.get, "/v1/deliveries/dead-letters").json()
            #expect((none["deadLetters"] as? [Any])?.isEmpty == true)
            // The answers with a delivery in them match the API document too.
            if APIConformanceTests.validatorAvailable {
                var records: [[String: Any]] = []
                for (path, response) in [
                    ("/v1/leads/\(lead)", try await client.api(.get, "/v1/leads/\(lead)")),
                    ("/v1/deliveries/dead-letters", try await client.api(.get, "/v1/deliveries/dead-letters?limit=5")),
                ] {
                    records.append([
                        "method": "GET", "path": path, "status": response.status.code,
                        "contentType": response.headers[.contentType] ?? "", "body": response.text,
                    ])
                }
                let file = FileManager.default.temporaryDirectory.appendingPathComponent("d-\(UUID().uuidString).json")
                try JSONSerialization.data(withJSONObject: records).write(to: file)
                let script = APIConformanceTests.root.appending(path: "Tools/validate-switchboard-api.py").path()
                let result = APIConformanceTests.run(["python3", script, file.path()])
                #expect(result.status == 0, "\(result.output)")
            }
        }
    }

    @Test("Delivered and dead-lettered leads are announced to the endpoint group, with the GHL ids and the reason")
    func deliveryEventsAreAnnounced() async throws {
        try await WebhookReceiver.withRunning { receiver in
            let crm = try EndpointGroup(name: "crm", urls: [receiver.url("crm")], events: [.delivered, .deadLettered])
            try await withDelivery(ghost: true, notifications: NotificationSettings(groups: [crm])) {
                _,
                _,
                ids,
                client in
                let delivered = try await submit(#"{"postalCode":"75201","email":"kai@example.com"}"#, client)
                let dead = try await submit(#"{"postalCode":"78703","email":"zoe@example.com"}"#, client)
                let events = try await receiver.wait { $0.count >= 2 }.map(\.json)
                #expect(events.count == 2)
                let byLead = Dictionary(
                    events.compactMap { event in
                        ((event["data"] as? [String: Any])?["leadId"] as? String).map { ($0, event) }
                    },
                    uniquingKeysWith: { first, _ in first }
                )
                let good = try #require(byLead[delivered])
                #expect(good["type"] as? String == "lead.delivered")
                let goodDelivery = try #require((good["data"] as? [String: Any])?["delivery"] as? [String: Any])
                #expect(goodDelivery["ghlLocationId"] as? String == ids["dallas-uptown"])
                #expect((goodDelivery["ghlContactId"] as? String)?.isEmpty == false)
                let bad = try #require(byLead[dead])
                #expect(bad["type"] as? String == "lead.dead_lettered")
                let reason = ((bad["data"] as? [String: Any])?["delivery"] as? [String: Any])?["reason"] as? String
                #expect(reason?.contains("contact") == true)
            }
        }
    }

    @Test("A 429 storm, then a 30 s outage, with slow replies: every lead is delivered once, after it ends")
    func stormAndOutage() async throws {
        let now = Date()
        let faults = FaultPlan(
            latencyMilliseconds: 0...40,
            outageUntil: now.addingTimeInterval(30),
            throttleUntil: now.addingTimeInterval(1.5)
        )
        // A ladder (compressed) that outlasts the outage, as the real one (27 h) outlasts GHL's.
        let schedule = RetrySchedule(
            delays: [
                .zero, .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(10), .seconds(15), .seconds(20),
            ],
            jitter: 0.2
        )
        try await withDelivery(faults: faults, schedule: schedule) { sandbox, _, ids, client in
            var leads: [String] = []
            for index in 0..<12 {
                let zip = index.isMultiple(of: 2) ? "78703" : "75204"
                leads.append(try await submit(#"{"postalCode":"\#(zip)","phone":"512555\#(1000 + index)"}"#, client))
            }
            for lead in leads {
                let delivery = try await settledDelivery(lead, client, timeout: .seconds(90))
                #expect(delivery["state"] as? String == "delivered")
            }
            // Nothing got through while GHL was down.
            #expect(Date() >= now.addingTimeInterval(30))
            #expect(try await sandbox.contactCount(locationID: ids["atx-downtown"]!) == 6)
            #expect(try await sandbox.contactCount(locationID: ids["dallas-uptown"]!) == 6)
        }
    }

    @Test("An opportunity created by a worker that died before recording it is found, not created again")
    func opportunityIsNotDuplicated() async throws {
        try await withDelivery { sandbox, service, ids, client in
            let lead = try await submit(#"{"postalCode":"78703","email":"opp@example.com"}"#, client)
            let delivered = try await settledDelivery(lead, client)
            #expect(delivered["state"] as? String == "delivered")
            let contactID = try #require(delivered["contactId"] as? String)
            let ghl = try #require(service.delivery?.client)
            let pipeline = try #require(try await ghl.pipelines(locationID: ids["atx-downtown"]!).first).id
            let before = try await ghl.opportunities(
                contactID: contactID,
                pipelineID: pipeline,
                locationID: ids["atx-downtown"]!
            )
            #expect(before.count == 1)
            // A worker claimed the opportunity step, created it in GHL, and died before recording it: the step is
            // queued again under its lease (claimed "in the future", so the live worker cannot take it first).
            let store = service.store
            let later = service.clock.now.addingTimeInterval(2)
            try await store.enqueue(
                [NewJob(kind: .deliver, leadID: lead, step: "opportunity", runAt: later)],
                at: service.clock.now
            )
            let held = try await store.claimJobs(
                kind: .deliver,
                limit: 10,
                owner: "dead-worker",
                leaseFor: .seconds(1),
                now: later
            )
            #expect(held.count == 1)
            let settleBy = ContinuousClock.now + .seconds(15)
            while ContinuousClock.now < settleBy {
                if try await store.jobs(ofLead: lead).allSatisfy({ $0.status == .done }) { break }
                try await Task.sleep(for: .milliseconds(25))
            }
            #expect(try await store.jobs(ofLead: lead).allSatisfy { $0.status == .done })
            let after = try await ghl.opportunities(
                contactID: contactID,
                pipelineID: pipeline,
                locationID: ids["atx-downtown"]!
            )
            #expect(after == before)
        }
    }

    @Test("A worker that dies mid-step (its lease lapses) is replaced; the step runs again without a duplicate")
    func deadWorkerIsReplaced() async throws {
        try await withDelivery { sandbox, service, ids, client in
            // Stop the service's own worker from seeing the job: a "dead" worker holds it, having already done
            // the GHL call (the contact exists), but never finishes.
            let lead = try await submit(#"{"postalCode":"78703","email":"kim@example.com"}"#, client)
            let deadline = ContinuousClock.now + .seconds(10)
            var contacts = 0
            while ContinuousClock.now < deadline && contacts == 0 {
                contacts = try await sandbox.contactCount(locationID: ids["atx-downtown"]!)
                try await Task.sleep(for: .milliseconds(10))
            }
            // Put the lead's contact step back as if a worker had claimed it and died (lease 5 s).
            let store = service.store
            let jobs = try await store.jobs(ofLead: lead)
            let contactStep = try #require(jobs.first { $0.step == "contact" })
            let replayedLive = try await store.replayDeadLetters(
                kind: .deliver,
                ids: [contactStep.id],
                since: nil,
                at: Date()
            )
            #expect(replayedLive == 0)
            // The live worker may take a freshly queued step first; try until the "dead" one holds it.
            let held = try await holdAsDeadWorker(lead: lead, store: store, clock: service.clock)
            #expect(held)
            // Held by the dead worker: not done before its lease lapses.
            try await Task.sleep(for: .milliseconds(300))
            let stillHeld = try await store.jobs(ofLead: lead).contains { $0.status == .queued }
            #expect(stillHeld)
            // After the lease lapses the live worker takes it, upserts again and finishes.
            let settleBy = ContinuousClock.now + .seconds(90)
            while ContinuousClock.now < settleBy {
                let pending = try await store.jobs(ofLead: lead).filter { $0.status == .queued }
                if pending.isEmpty { break }
                try await Task.sleep(for: .milliseconds(25))
            }
            let after = try await store.jobs(ofLead: lead)
            #expect(after.allSatisfy { $0.status == .done })
            #expect(try await sandbox.contactCount(locationID: ids["atx-downtown"]!) == 1)
        }
    }
}
