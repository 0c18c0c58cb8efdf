import Foundation
import HighLevel
import HighLevelSandbox
import LeadRouting
import Logging
import ReferenceGeodata
import Rollout
import Storage
import SwitchboardTesting

/// Onboards locations into the sandbox with GHL's documented limits (100 calls per 10 s for the agency, and for
/// each location) twice in the same session: Switchboard's rollout (waves gated by validation, paced by the
/// client's rate limiter) and the seed's scheme (batches of 10 with a 2 s sleep between, no limiter). Reports
/// each wall time against the rate-limit lower bound (the agency's calls ÷ 10 calls/s), and their 429s and failures.
///
/// Usage: OnboardingLoad [LOCATIONS]   (default 100)
@main
struct OnboardingLoad {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func main() async throws {
        let count = CommandLine.arguments.dropFirst().compactMap { Int($0) }.first ?? 100
        let directory = try PostalDirectory.reference()
        let template = try LocationTemplate(
            contentsOf: repository.appendingPathComponent("examples/location-template.yml").path
        )
        let hours = try WeeklyHours(parsing: "mon-fri 05:00-22:00; sat-sun 07:00-19:00")
        func specs(prefix: String) throws -> [OnboardingSpec] {
            // The generator spaces codes by count and may fall a few short: ask for more, keep `count`.
            try Fixtures.nationwide(count: count + count / 10, directory: directory).prefix(count).enumerated()
                .map { index, base in
                    var location = base
                    location.id = prefix.lowercased() + base.id
                    location.name = prefix + base.name
                    location.businessHours = hours
                    let values = [
                        "id": location.id, "name": location.name, "postal_code": base.postalCode?.text ?? "",
                        "timezone": location.timeZoneIdentifier,
                        "daily_capacity": String(location.capacity.daily ?? 20),
                        "priority": String(location.priority), "address": "\(100 + index) Main St", "city": "Town",
                        "state": "TX", "phone": "+1555\(2_000_000 + index)", "email": "\(location.id)@example.com",
                        "website": "https://example.com/\(location.id)",
                        "snapshot": SandboxSnapshot.franchiseStandard.id,
                    ]
                    return try template.render(
                        for: OnboardingLocation(location: location, values: values, line: index + 2),
                        file: "generated"
                    )
                }
        }
        let configuration = SandboxServer.Configuration(
            port: 0,
            snapshotLoadDelay: .zero,
            rateLimit: 100,
            rateLimitInterval: 10,
            dailyLimit: 10_000_000
        )
        let ours = try specs(prefix: "")
        let seeds = try specs(prefix: "Seed ")
        var quiet = Logger(label: "onboarding-load")
        quiet.logLevel = .critical
        let logger = quiet
        try await SandboxServer.withRunning(configuration) { sandbox, url in
            func client(limit: Int) -> HighLevelClient {
                HighLevelClient(
                    configuration: .init(
                        baseURL: url,
                        companyID: sandbox.configuration.companyID,
                        credentials: .privateIntegration(token: sandbox.configuration.agencyToken),
                        rateLimit: limit,
                        rateLimitInterval: .seconds(10)
                    ),
                    logger: logger
                )
            }
            func store() throws -> SQLiteStore {
                try SQLiteStore(
                    path: FileManager.default.temporaryDirectory.appendingPathComponent("onboarding-\(UUID()).sqlite")
                        .path
                )
            }
            func measure(_ name: String, _ body: () async throws -> RolloutReport) async throws -> String {
                await sandbox.journal.clear()
                let started = ContinuousClock.now
                let report = try await body()
                let wall = ContinuousClock.now - started
                let seconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
                let entries = await sandbox.journal.entries()
                let company = entries.filter { $0.resource == "company" }.count
                var perLocation: [String: Int] = [:]
                for entry in entries where entry.resource?.hasPrefix("location:") == true {
                    perLocation[entry.resource ?? "", default: 0] += 1
                }
                // The agency's budget is the bottleneck: its calls at 10/s (whole 10 s windows: ⌊(N − 1) / 100⌋ × 10 s).
                let bound = Double(company) / 10
                let windowBound = Double(max(0, company - 1) / 100) * 10
                let throttled = entries.filter { $0.status == 429 }.count
                let counts = report.count
                return """
                    \(name): \(counts.active) of \(report.entries.count) active, \(counts.quarantined) quarantined, in \(String(format: "%.1f", seconds)) s
                      calls: \(entries.count) (agency \(company), busiest location \(perLocation.values.max() ?? 0))
                      lower bound, agency calls ÷ 10/s: \(String(format: "%.1f", bound)) s → ratio \(String(format: "%.3f", seconds / max(bound, 0.001)))
                      lower bound, agency calls in whole 10 s windows: \(String(format: "%.1f", windowBound)) s → ratio \(String(format: "%.3f", seconds / max(windowBound, 0.001)))
                      429 answers: \(throttled) (\(String(format: "%.2f", Double(throttled) / Double(max(1, entries.count)) * 100)) %)
                    """
            }

            let switchboard = try await measure("switchboard rollout (waves 10 + 15…, rate limiter)") {
                try await RolloutRunner(
                    client: client(limit: 100),
                    store: try store(),
                    directory: directory,
                    options: RolloutOptions(pollInterval: .milliseconds(500))
                ).apply(ours, wave: .all)
            }
            print(switchboard)
            // Let the agency's window empty before the second run.
            try await Task.sleep(for: .seconds(11))
            let seedStore = try store()
            let seed = try await measure("seed scheme (batches of 10, 2 s sleep, no limiter)") {
                let runner = RolloutRunner(
                    client: client(limit: 1_000_000),
                    store: seedStore,
                    directory: directory,
                    options: RolloutOptions(
                        pilotSize: 10,
                        waveSize: 10,
                        force: true,
                        pollInterval: .milliseconds(500),
                        concurrency: 10
                    )
                )
                var report = try await runner.apply(seeds, wave: .next)
                while report.count.notStarted > 0 {
                    try await Task.sleep(for: .seconds(2))
                    report = try await runner.apply(seeds, wave: .next)
                }
                return report
            }
            print(seed)
        }
    }
}
