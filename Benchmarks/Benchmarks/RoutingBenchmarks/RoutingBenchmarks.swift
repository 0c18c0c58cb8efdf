import Benchmark
import Foundation
import LeadRouting
import ReferenceGeodata
import SwitchboardTesting

/// Routing benchmarks: a full decision (with its explanation) at 100, 1,000 and 10,000 locations, with the
/// default search (a k-d tree above 256 locations) and with the full-scan baseline; the postal lookup alone;
/// loading the geodata.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .nanoseconds,
        warmupIterations: 100,
        maxDuration: .seconds(3),
        maxIterations: 1_000_000
    )
    let directory = try! PostalDirectory.reference()

    for count in [100, 1_000, 10_000] {
        // Locations spread over the country as ZIPs are (so denser in cities), each with the default 25-mile
        // radius; leads at real ZIPs next to 64 of them, as production leads mostly are (they assign).
        let locations = Fixtures.nationwide(count: count, directory: directory)
        let policy = RoutingPolicy()
        let leads = Fixtures.nearbyLeads(count: 64, around: locations, directory: directory)
        for search in [CandidateSearch.spatialIndex, .fullScan] {
            let engine = try! RoutingEngine(locations: locations, directory: directory, policy: policy, search: search)
            let name = search == .spatialIndex ? "default (k-d tree above 256)" : "full scan (baseline)"
            Benchmark("decide, \(count) locations, \(name)") { benchmark in
                let ledger = CapacityLedger()
                var index = 0
                for _ in benchmark.scaledIterations {
                    blackHole(engine.decide(leads[index], ledger: ledger))
                    index = index == leads.count - 1 ? 0 : index + 1
                }
            }
        }
    }

    let codes = ["90001-1234", "10001", " m5v 3l9", "60601", "K1A", "99999", "78701", "abcde"]
    Benchmark("postal lookup (parse + point)") { benchmark in
        var index = 0
        for _ in benchmark.scaledIterations {
            blackHole(PostalCode(parsing: codes[index]).flatMap { directory.point(for: $0) })
            index = index == codes.count - 1 ? 0 : index + 1
        }
    }

    Benchmark(
        "load reference geodata",
        configuration: .init(metrics: [.wallClock, .mallocCountTotal], timeUnits: .milliseconds, maxIterations: 50)
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try! PostalDirectory.loadReference())
        }
    }
}
