import Delivery
import Foundation
import HighLevel
import HighLevelSandbox
import LeadRouting
import Logging
import ReferenceGeodata
import Storage
import SwitchboardServer
import SwitchboardTesting

/// Delivers routed leads into sandbox sub-accounts with GHL's documented limits (100 calls per 10 s per location
/// and per company) and compares the wall time with the rate-limit lower bound: the busiest location's calls
/// at 10 calls/s. Also reports the share of calls answered 429.
///
/// Usage: DeliveryLoad [LOCATIONS] [LEADS]   (defaults 100, 10000)
@main
struct DeliveryLoad {
    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
        let locationCount = arguments.first ?? 100
        let leadCount = arguments.dropFirst().first ?? 10_000
        let directory = try PostalDirectory.reference()
        let locations = Fixtures.nationwide(count: locationCount, directory: directory).map { location in
            var unlimited = location
            unlimited.capacity = CapacityLimits(daily: nil, weekly: nil)
            return unlimited
        }
        // The same number of leads for every location (at its own postal code, so that it is the nearest), as
        // the scenario says: 10,000 leads over 100 locations.
        let leads = (0..<leadCount).map { index in
            let location = locations[index % locations.count]
            return Fixtures.lead(location.postalCode?.text, email: "lead\(index)@example.com", at: Date())
        }
        let configuration = SandboxServer.Configuration(
            port: 0,
            snapshotLoadDelay: .zero,
            rateLimit: 100,
            rateLimitInterval: 10,
            dailyLimit: 10_000_000
        )
        try await SandboxServer.withRunning(configuration) { sandbox, url in
            let ids = try await sandbox.seed(
                subAccounts: locations.map { ($0.name, $0.postalCode?.text, $0.timeZoneIdentifier) },
                snapshotID: SandboxSnapshot.franchiseStandard.id
            )
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("delivery-load-\(UUID()).sqlite")
            let store = try SQLiteStore(path: path.path)
            try await store.saveLocations(
                zip(locations, ids).map { StoredLocation(location: $0, ghlLocationID: $1, updatedAt: Date()) }
            )
            // Routed before the clock starts: the benchmark is delivery.
            _ = try await store.accept(
                leads.enumerated().map {
                    Intake(record: LeadRecord(id: "lead-\($0.offset)", channel: "api", lead: $0.element))
                }
            )
            var logger = Logger(label: "delivery-load")
            logger.logLevel = .error
            let router = try await LeadRouter(
                store: store,
                directory: directory,
                policy: RoutingPolicy(),
                metrics: ServiceMetrics(),
                delivers: true,
                now: { Date() }
            )
            for start in stride(from: 0, to: leads.count, by: 500) {
                try await router.route((start..<min(start + 500, leads.count)).map { (leadID: "lead-\($0)", job: nil) })
            }
            let queued = try await store.pendingJobCount(kind: .deliver)
            print("routed \(leads.count) leads; \(queued) delivery jobs queued over \(locationCount) locations")
            await sandbox.journal.clear()

            let client = HighLevelClient(
                configuration: .init(
                    baseURL: url,
                    companyID: sandbox.configuration.companyID,
                    credentials: .privateIntegration(token: sandbox.configuration.agencyToken),
                    rateLimit: 100,
                    rateLimitInterval: .seconds(10)
                ),
                logger: logger
            )
            let settings = DeliveryConfiguration(
                pipelineName: "Memberships",
                workflowName: "New lead nurture",
                concurrency: 512,
                pollInterval: .milliseconds(100)
            )
            let worker = DeliveryWorker(
                store: store,
                delivery: LeadDelivery(client: client, configuration: settings),
                configuration: settings,
                logger: logger
            )
            let started = ContinuousClock.now
            let run = Task { try await worker.run() }
            var lastReport = ContinuousClock.now
            while try await store.pendingJobCount(kind: .deliver) > 0 {
                try await Task.sleep(for: .milliseconds(200))
                if ContinuousClock.now - lastReport > .seconds(10) {
                    lastReport = .now
                    let pending = try await store.pendingJobCount(kind: .deliver)
                    print("  \(ContinuousClock.now - started): \(pending) delivery jobs left")
                }
            }
            let wall = ContinuousClock.now - started
            run.cancel()

            let entries = await sandbox.journal.entries()
            var perResource: [String: Int] = [:]
            for entry in entries { perResource[entry.resource ?? "none", default: 0] += 1 }
            let busiest = perResource.filter { $0.key.hasPrefix("location:") }.max { $0.value < $1.value }
            let company = perResource["company"] ?? 0
            let throttled = entries.filter { $0.status == 429 }.count
            let failed = entries.filter { $0.status >= 500 }.count
            let dead = try await store.deadLetters(kind: .deliver, since: nil, limit: 10).count
            // The issue's bound: calls ÷ 10 calls/s per location — for all locations together, and for the busiest
            // (leads are not spread evenly, and a location's calls cannot use another's budget).
            let busiestCalls = busiest?.value ?? 0
            let locationCalls = perResource.filter { $0.key.hasPrefix("location:") }.values.reduce(0, +)
            let aggregateBound = Double(locationCalls) / (10 * Double(locationCount))
            let plainBound = Double(busiestCalls) / 10
            // With GHL's fixed budget of 100 per 10 s window, N calls need at least ⌊(N − 1) / 100⌋ × 10 s.
            let windowBound = Double((busiestCalls - 1) / 100) * 10
            let seconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
            // Where the time went: the busiest location's calls in each 10 s window from the start (a saturated
            // limiter shows 100 in every window but the last), and all calls per window.
            if let busiestKey = busiest?.key, let first = entries.map(\.at).min() {
                var own: [Int: Int] = [:]
                var all: [Int: Int] = [:]
                for entry in entries {
                    let window = Int(entry.at.timeIntervalSince(first) / 10)
                    all[window, default: 0] += 1
                    if entry.resource == busiestKey { own[window, default: 0] += 1 }
                }
                let windows = (all.keys.max() ?? 0) + 1
                print(
                    "  per 10 s window, busiest location: "
                        + (0..<windows).map { String(own[$0] ?? 0) }.joined(separator: " ")
                )
                print(
                    "  per 10 s window, all calls:        "
                        + (0..<windows).map { String(all[$0] ?? 0) }.joined(separator: " ")
                )
            }
            print(
                """
                delivered \(leads.count) leads into \(locationCount) sub-accounts in \(String(format: "%.1f", seconds)) s
                  calls: \(entries.count) (company budget \(company)); busiest location \(busiestCalls) calls
                  lower bound, all locations' calls ÷ (10/s × \(locationCount)): \(String(format: "%.1f", aggregateBound)) s → ratio \(String(format: "%.3f", seconds / aggregateBound))
                  lower bound, busiest location ÷ 10/s: \(String(format: "%.1f", plainBound)) s → ratio \(String(format: "%.3f", seconds / plainBound))
                  lower bound, busiest location in whole 10 s windows: \(String(format: "%.1f", windowBound)) s → ratio \(String(format: "%.3f", seconds / max(windowBound, 0.001)))
                  429 answers: \(throttled) (\(String(format: "%.3f", Double(throttled) / Double(max(1, entries.count)) * 100)) %), 5xx: \(failed), dead letters: \(dead)
                """
            )
        }
    }
}
