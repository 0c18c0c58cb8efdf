// The funnel report over a year of a 100-gym franchise — 1,000,000 delivered leads and 5,000,000 GHL events, all
// stored through the store's own API (so the aggregates are the ones kept up to date as events arrive) — and the
// cost of event intake against lead intake, per request, in the same run.
//
// swift run -c release --package-path Benchmarks FunnelLoad [LEADS] [DATABASE] [reports,intake,webhooks]
//
// The database defaults to /dev/shm (seeding does two million single-lead transactions; on tmpfs a commit's
// flush costs nothing); an existing one with the same number of leads is reused. Delete it to seed afresh.
import AsyncHTTPClient
import Crypto
import Foundation
import GRDB
import LeadRouting
import LeadTracking
import Logging
import NIOCore
import ServiceLifecycle
import Storage
import SwitchboardServer
import SwitchboardTesting

@main
struct FunnelLoad {
    static let gyms = (0..<100).map { String(format: "gym-%03d", $0) }
    static let sources = ["facebook", "google", "website", "instagram", "walk-in", "referral", "tiktok", "yelp"]
    static let year: TimeInterval = 365 * 86_400
    static let start = Date(timeIntervalSince1970: 1_764_547_200)  // 2025-12-01T00:00:00Z

    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst()
        let leads = arguments.first.flatMap(Int.init) ?? 1_000_000
        let path = arguments.dropFirst().first ?? "/dev/shm/switchboard-funnel-\(leads).sqlite"
        print(
            "# FunnelLoad, \(leads) leads, \(5 * leads) events, \(ProcessInfo.processInfo.activeProcessorCount) cores"
        )
        let store = try SQLiteStore(path: path)
        let stored = try await store.funnel(by: .source, since: nil, until: nil).reduce(0) { $0 + $1.counts.delivered }
        if stored == leads {
            print("reusing \(path) (delete it to seed afresh)")
        } else {
            guard stored == 0 else {
                print("\(path) holds \(stored) delivered leads, not \(leads): delete it first")
                return
            }
            try await seed(leads, into: store)
        }
        let database = try DatabaseQueue(path: path)
        let size = try await database.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT count(*) FROM attempts") ?? 0,
                try Int.fetchOne(db, sql: "SELECT count(*) FROM ghl_events") ?? 0,
                try Int.fetchOne(db, sql: "SELECT count(*) FROM funnel_daily") ?? 0,
                try Int.fetchOne(db, sql: "SELECT count(*) FROM funnel_monthly") ?? 0
            )
        }
        print(
            "stored: \(size.0) attempts, \(size.1) GHL events; aggregates: \(size.2) daily rows, \(size.3) monthly rows"
        )
        // A third argument picks the parts: reports, intake, webhooks (all by default).
        let parts = arguments.dropFirst(2).first.map { Set($0.split(separator: ",").map(String.init)) }
        if parts?.contains("reports") ?? true { try await measureReports(store, database: database) }
        if parts?.contains("intake") ?? true { try await measureIntake(store, leads: leads) }
        if parts?.contains("webhooks") ?? true { try await measureWebhooks(store, leads: leads) }
    }

    // MARK: Seeding

    /// The lead's moment: spread over the year, busier in the evening (all gyms in one zone).
    static func deliveredAt(_ index: Int, of total: Int) -> Date {
        start.addingTimeInterval(year * Double(index) / Double(total))
    }

    static func seed(_ total: Int, into store: SQLiteStore) async throws {
        for gym in gyms {
            try await store.saveLocation(
                StoredLocation(
                    location: Fixtures.location(gym, zip: "78701", daily: nil, hours: "mon-sun 06:00-22:00"),
                    ghlLocationID: "ghl-\(gym)",
                    updatedAt: start
                )
            )
        }
        let began = ContinuousClock.now
        var generator = SplitMix(seed: 2026)
        let chunk = 2_000
        for first in stride(from: 0, to: total, by: chunk) {
            let indices = first..<min(total, first + chunk)
            var intakes: [Intake] = []
            var decisions: [DecisionRecord] = []
            for index in indices {
                let id = "lead-\(index)"
                var intake = Fixtures.intake(id)
                intake.record.lead.source = sources[Int(generator.next() % 100) < 40 ? 0 : Int(generator.next() % 8)]
                intake.record.lead.arrivedAt = deliveredAt(index, of: total).addingTimeInterval(-2)
                intakes.append(intake)
                decisions.append(
                    DecisionRecord(
                        Fixtures.assignment(id, to: gyms[index % gyms.count]),
                        forLead: id,
                        slot: nil,
                        limits: .unlimited,
                        manual: false,
                        completing: nil
                    )
                )
            }
            _ = try await store.accept(intakes)
            _ = try await store.record(decisions, at: deliveredAt(indices.lowerBound, of: total))
            var events: [GHLEvent] = []
            for index in indices {
                let gym = gyms[index % gyms.count]
                let delivered = deliveredAt(index, of: total)
                try await store.saveDelivery(
                    DeliveryRecord(
                        leadID: "lead-\(index)",
                        ghlLocationID: "ghl-\(gym)",
                        state: .delivered,
                        contactID: "c\(index)",
                        opportunityID: "o\(index)",
                        updatedAt: delivered
                    )
                )
                events += leadEvents(index, gym: gym, delivered: delivered, random: &generator)
            }
            _ = try await store.track(events, rules: .standard, at: deliveredAt(indices.upperBound, of: total))
            if (indices.upperBound / chunk) % 25 == 0 || indices.upperBound == total {
                let seconds = (ContinuousClock.now - began).seconds
                print(
                    String(
                        format: "  seeded %d / %d leads (%.0f s, %.0f leads/s with their events)",
                        indices.upperBound,
                        total,
                        seconds,
                        Double(indices.upperBound) / seconds
                    )
                )
            }
        }
    }

    /// Five GHL events per lead, as a gym's pipeline makes them: the workflow's automated text, a stage move,
    /// a person's call or text (or a note when nobody calls), the lead's reply (or a task), and an outcome.
    static func leadEvents(_ index: Int, gym: String, delivered: Date, random: inout SplitMix) -> [GHLEvent] {
        let contact = "c\(index)", location = "ghl-\(gym)"
        func event(_ suffix: String, _ type: String, after seconds: Double, _ change: GHLEvent.Change) -> GHLEvent {
            GHLEvent(
                webhookID: "\(index)-\(suffix)",
                type: type,
                ghlLocationID: location,
                contactID: contact,
                occurredAt: delivered.addingTimeInterval(seconds),
                change: change
            )
        }
        // Gyms differ: some answer within minutes, some take hours.
        let habit = Double(1 + index % gyms.count % 7) * 120
        let touchAfter = habit * (0.2 + Double(random.next() % 1_000) / 250)
        let roll = Int(random.next() % 100)
        var events = [
            event(
                "auto",
                "OutboundMessage",
                after: 5,
                .message(.init(id: "a\(index)", outbound: true, messageType: "SMS", source: "workflow"))
            ),
            event(
                "stage",
                "OpportunityStageUpdate",
                after: 30,
                .opportunity(.init(id: "o\(index)", pipelineStageID: "new-lead"))
            ),
        ]
        events.append(
            roll < 75
                ? event(
                    "touch",
                    "OutboundMessage",
                    after: touchAfter,
                    .message(
                        .init(
                            id: "t\(index)",
                            outbound: true,
                            messageType: roll < 40 ? "CALL" : "SMS",
                            userID: "u\(index % 300)",
                            source: "app"
                        )
                    )
                )
                : event("note", "NoteCreate", after: 600, .noteCreated(id: "n\(index)"))
        )
        events.append(
            roll < 45
                ? event(
                    "reply",
                    "InboundMessage",
                    after: touchAfter + 300,
                    .message(.init(id: "r\(index)", outbound: false, messageType: "SMS"))
                )
                : event("task", "TaskComplete", after: touchAfter + 60, .taskCompleted(id: "k\(index)"))
        )
        let outcome: GHLEvent.Change =
            roll < 12
            ? .opportunity(.init(id: "o\(index)", status: "won", monetaryValue: Double(49 + index % 4 * 50)))
            : roll < 30
                ? .appointment(.init(id: "ap\(index)", status: roll < 20 ? "showed" : "confirmed"))
                : .opportunity(.init(id: "o\(index)", status: roll < 60 ? "lost" : "open"))
        events.append(event("outcome", "OpportunityStatusUpdate", after: touchAfter + 86_400, outcome))
        return events
    }

    // MARK: Reports

    static func measureReports(_ store: SQLiteStore, database: DatabaseQueue) async throws {
        let end = start.addingTimeInterval(year)
        func day(_ date: Date) -> Date {
            Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)
        }
        let windows: [(String, FunnelGrouping, Date?, Date?)] = [
            ("all time, by location", .location, nil, nil),
            ("all time, by source", .source, nil, nil),
            (
                "15 Dec to 14 Nov (edges of 17 + 14 days), by location", .location,
                day(start.addingTimeInterval(14 * 86_400)), day(end.addingTimeInterval(-16 * 86_400))
            ),
            ("last 30 days, by location", .location, day(end.addingTimeInterval(-30 * 86_400)), nil),
            ("last 7 days, by source", .source, day(end.addingTimeInterval(-7 * 86_400)), nil),
        ]
        print("\nFunnel report (store.funnel, what GET /v1/reports/funnel runs), 30 runs each after 3 warm-ups:")
        for (name, grouping, since, until) in windows {
            var samples: [Double] = []
            for run in 0..<33 {
                let began = ContinuousClock.now
                let rows = try await store.funnel(by: grouping, since: since, until: until)
                if run >= 3 { samples.append((ContinuousClock.now - began).seconds * 1_000) }
                precondition(!rows.isEmpty)
            }
            print(
                String(
                    format: "  %-58@ p50 %6.1f ms  p95 %6.1f ms  max %6.1f ms",
                    name as NSString,
                    percentile(samples, 0.5),
                    percentile(samples, 0.95),
                    samples.max() ?? 0
                )
            )
        }
        // The baseline, in the same run: the same all-time report by location computed by scanning the attempts.
        var scans: [Double] = []
        for _ in 0..<3 {
            let began = ContinuousClock.now
            _ = try database.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT location_id, count(*), sum(json_extract(progress, '$.firstTouchAt') IS NOT NULL),
                            sum(json_extract(progress, '$.firstContactAt') IS NOT NULL),
                            sum(json_extract(progress, '$.status.value') = 'won') FROM attempts GROUP BY location_id
                        """
                )
            }
            scans.append((ContinuousClock.now - began).seconds * 1_000)
        }
        print(
            String(
                format: "  baseline: a scan of the attempts (counts only, no percentiles): p50 %.0f ms",
                percentile(scans, 0.5)
            )
        )
    }

    // MARK: Intake

    /// Single-item calls from 64 concurrent tasks, as 64 webhook connections make them: new leads, then events
    /// about delivered leads (a person's text to each), alternating three times.
    static func measureIntake(_ store: SQLiteStore, leads: Int) async throws {
        print("\nIntake per request (64 concurrent single-item calls, 20,000 each; the store's part of a webhook):")
        var leadRates: [Double] = [], eventRates: [Double] = []
        // Fresh ids on every run: a database reused from an earlier run holds that run's.
        let run = UUID().uuidString.prefix(8)
        for round in 0..<3 {
            leadRates.append(
                try await concurrently(20_000) { index in
                    _ = try await store.accept([Fixtures.intake("bench-\(run)-\(round)-\(index)")])
                }
            )
            eventRates.append(
                try await concurrently(20_000) { index in
                    let lead = (round * 20_000 + index) * 7 % leads
                    _ = try await store.track(
                        [
                            GHLEvent(
                                webhookID: "bench-\(run)-\(round)-\(index)",
                                type: "OutboundMessage",
                                ghlLocationID: "ghl-\(gyms[lead % gyms.count])",
                                contactID: "c\(lead)",
                                occurredAt: deliveredAt(lead, of: leads).addingTimeInterval(3_600),
                                change: .message(
                                    .init(
                                        id: "b\(round)-\(index)",
                                        outbound: true,
                                        messageType: "SMS",
                                        userID: "u1",
                                        source: "app"
                                    )
                                )
                            )
                        ],
                        rules: .standard,
                        at: Date()
                    )
                }
            )
            print(
                String(
                    format: "  round %d: leads %.0f/s, events %.0f/s",
                    round + 1,
                    leadRates[round],
                    eventRates[round]
                )
            )
        }
        let lead = percentile(leadRates, 0.5), event = percentile(eventRates, 0.5)
        print(
            String(
                format: "  median: leads %.0f/s, events %.0f/s: an event costs %.2f× a lead",
                lead,
                event,
                lead / event
            )
        )
    }

    /// The same comparison through the whole service, per request: signed webhooks over HTTP on loopback (with
    /// signature check, parsing, storing, and for leads the routing that follows), 64 connections.
    static func measureWebhooks(_ store: SQLiteStore, leads: Int) async throws {
        let key = Curve25519.Signing.PrivateKey()
        var configuration = ServerConfiguration(port: 0, apiToken: "bench", workerPollInterval: .milliseconds(50))
        configuration.webhookVerification.ed25519PublicKey = key.publicKey
        var logger = Logger(label: "funnel-load")
        logger.logLevel = .error
        let (ports, port) = AsyncStream.makeStream(of: Int.self)
        let app = try await buildApplication(
            configuration: configuration,
            store: store,
            directory: Fixtures.directory,
            logger: logger,
            onServerRunning: { port.yield($0) }
        )
        let server = Task { try await app.runService() }
        defer { server.cancel() }
        var listening = ports.makeAsyncIterator()
        guard let http = await listening.next() else { return }
        let url = "http://127.0.0.1:\(http)/webhooks/ghl"
        let run = UUID().uuidString.prefix(8)
        let now = Date().formatted(.iso8601)
        func signed(_ object: [String: Any]) throws -> (body: ByteBuffer, signature: String) {
            let body = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            return (ByteBuffer(data: body), try key.signature(for: body).base64EncodedString())
        }
        print("\nWebhooks per request over HTTP (64 connections, 10,000 each, signed, pre-signed before timing):")
        var leadRates: [Double] = [], eventRates: [Double] = []
        for round in 0..<3 {
            let contactCreates = try (0..<10_000).map { index in
                try signed([
                    "type": "ContactCreate", "locationId": "intake", "id": "web-\(run)-\(round)-\(index)",
                    "webhookId": "lead-\(run)-\(round)-\(index)", "timestamp": now, "firstName": "Lead",
                    "email": "lead\(index)@example.com", "postalCode": "78701", "source": "facebook",
                ])
            }
            let messages = try (0..<10_000).map { index in
                let lead = (round * 10_000 + index) * 13 % leads
                return try signed([
                    "type": "OutboundMessage", "locationId": "ghl-\(gyms[lead % gyms.count])", "contactId": "c\(lead)",
                    "messageId": "web-\(run)-\(round)-\(index)", "webhookId": "event-\(run)-\(round)-\(index)",
                    "timestamp": now, "direction": "outbound", "messageType": "SMS", "userId": "u1", "source": "app",
                ])
            }
            eventRates.append(try await post(messages, to: url))
            leadRates.append(try await post(contactCreates, to: url))
            print(
                String(
                    format: "  round %d: leads %.0f/s, events %.0f/s",
                    round + 1,
                    leadRates[round],
                    eventRates[round]
                )
            )
            // The routing of the round's leads finishes before the next round's events.
            try await Task.sleep(for: .seconds(3))
        }
        let lead = percentile(leadRates, 0.5), event = percentile(eventRates, 0.5)
        print(
            String(
                format: "  median: leads %.0f/s, events %.0f/s: an event request costs %.2f× a lead request",
                lead,
                event,
                lead / event
            )
        )
    }

    static func post(_ requests: [(body: ByteBuffer, signature: String)], to url: String) async throws -> Double {
        try await concurrently(requests.count) { index in
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "x-ghl-signature", value: requests[index].signature)
            request.body = .bytes(requests[index].body)
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            _ = try await response.body.collect(upTo: 1 << 16)
            guard response.status == .ok else { throw BenchmarkFailure(status: Int(response.status.code)) }
        }
    }

    struct BenchmarkFailure: Error { var status: Int }

    static func concurrently(
        _ count: Int,
        _ body: @escaping @Sendable (Int) async throws -> Void
    ) async throws -> Double {
        let began = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<64 {
                group.addTask {
                    for index in stride(from: worker, to: count, by: 64) { try await body(index) }
                }
            }
            try await group.waitForAll()
        }
        return Double(count) / (ContinuousClock.now - began).seconds
    }

    static func percentile(_ values: [Double], _ fraction: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * fraction).rounded()))]
    }
}

/// A small deterministic generator: the same data on every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
