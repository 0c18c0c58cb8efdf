import Foundation
import Storage

/// Claim throughput on PostgreSQL: jobs claimed and finished per second by 1 instance, then by 3 instances (each
/// with its own connection pool, as separate processes would have) on the same database, and a check that no job
/// was claimed twice.
///
/// `swift run -c release --package-path Benchmarks ClaimLoad postgres://…?sslmode=disable [JOBS]`
/// (or `SWITCHBOARD_BENCH_POSTGRES_URL`; `Tools/postgres-cluster.sh start` prints a URL).
@main
struct ClaimLoad {
    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst()
        guard let text = arguments.first ?? ProcessInfo.processInfo.environment["SWITCHBOARD_BENCH_POSTGRES_URL"]
        else {
            print("usage: ClaimLoad POSTGRES_URL [JOBS]")
            exit(2)
        }
        let jobs = arguments.dropFirst().first.flatMap { Int($0) } ?? 20_000
        print(
            "# claim throughput, \(jobs) jobs per run, batches of 32, \(ProcessInfo.processInfo.activeProcessorCount) cores"
        )
        let one = try await run(url: try PostgresURL(parsing: text), instances: 1, jobs: jobs)
        let three = try await run(url: try PostgresURL(parsing: text), instances: 3, jobs: jobs)
        print(String(format: "ratio 3 instances / 1 instance = %.2f", three / one))
    }

    /// Queues `jobs` jobs in a fresh schema, lets `instances` stores claim and finish them until none is left.
    /// - Returns: jobs per second.
    static func run(url base: PostgresURL, instances: Int, jobs: Int) async throws -> Double {
        var url = base
        url.schema = "claimload_" + UUID().uuidString.lowercased().prefix(8)
        let setup = try PostgresStore(url: url, maximumConnections: 4)
        try await setup.whileRunning {
            let now = Date()
            for start in stride(from: 0, to: jobs, by: 1_000) {
                try await setup.enqueue(
                    (start..<min(start + 1_000, jobs)).map {
                        NewJob(kind: .deliver, leadID: "lead-\($0)", step: "contact", runAt: now)
                    },
                    at: now
                )
            }
        }
        let stores = try (0..<instances).map { _ in try PostgresStore(url: url, maximumConnections: 4) }
        let started = ContinuousClock.now
        let claimed = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for (index, store) in stores.enumerated() {
                group.addTask {
                    try await store.whileRunning {
                        // Two workers per instance, as a delivery worker keeps claims going while it works.
                        try await withThrowingTaskGroup(of: [Int64].self) { workers in
                            for worker in 0..<2 {
                                workers.addTask {
                                    let owner = "instance-\(index)-\(worker)"
                                    var mine: [Int64] = []
                                    while true {
                                        let batch = try await store.claimJobs(
                                            kind: .deliver,
                                            limit: 32,
                                            owner: owner,
                                            leaseFor: .seconds(60),
                                            now: Date()
                                        )
                                        if batch.isEmpty { return mine }
                                        mine += batch.map(\.id)
                                        _ = try await store.settle(
                                            batch.map { .finished(id: $0.id, owner: owner, next: [], delivery: nil) },
                                            at: Date()
                                        )
                                    }
                                }
                            }
                            return try await workers.reduce(into: []) { $0 += $1 }
                        }
                    }
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = Double(claimed.count) / seconds
        let distinct = Set(claimed).count
        print(
            String(
                format:
                    "%d instance%@: %d claimed and finished in %.2f s = %.0f jobs/s; %d distinct, claimed twice: %d",
                instances,
                instances == 1 ? "" : "s",
                claimed.count,
                seconds,
                rate,
                distinct,
                claimed.count - distinct
            )
        )
        guard claimed.count == jobs, distinct == jobs else {
            print("FAILED: expected every one of \(jobs) jobs exactly once")
            exit(1)
        }
        return rate
    }
}
