import Foundation
import HighLevel
import LeadRouting
import Storage

/// The checks a new location must pass before it takes live leads (the seed's `OnboardingValidator`): it routes,
/// its capacity works in its own time zone, its sub-account has what the snapshot should install, and it is
/// reported.
struct RolloutValidator: Sendable {
    let client: HighLevelClient
    let store: any SwitchboardStore
    let directory: PostalDirectory
    let now: @Sendable () -> Date

    /// The failed checks (empty: it passed).
    func failures(of spec: OnboardingSpec, subAccount: String) async -> [String] {
        var failures: [String] = []
        do {
            let stored = try await store.allLocations()
            var candidate = spec.location
            candidate.status = .active
            let others = stored.map(\.location).filter { $0.id != spec.id }
            let engine = try RoutingEngine(
                locations: others + [candidate],
                directory: directory,
                policy: RoutingPolicy()
            )
            // Routing: a dry-run lead at the location's own postal code (or point) goes to it.
            let lead = Lead(
                postalCode: candidate.postalCode?.text,
                coordinate: candidate.postalCode == nil ? candidate.coordinate : nil,
                arrivedAt: now()
            )
            let decision = engine.decide(lead, ledger: CapacityLedger())
            if decision.locationID != spec.id {
                failures.append(
                    "routing: a lead at \(candidate.postalCode?.text ?? "its point") goes to "
                        + "\(decision.locationID ?? "no location") (\(decision.summary)), not here"
                )
            }
            // Capacity: its windows follow its own time zone, and a slot can be taken and given back.
            if let windows = engine.windows(ofLocationWithID: spec.id, at: now()),
                let zone = TimeZone(identifier: candidate.timeZoneIdentifier)
            {
                var calendar = Calendar(identifier: .gregorian)
                calendar.timeZone = zone
                let local = calendar.dateComponents([.hour, .minute], from: now())
                if windows.minuteOfDay != (local.hour ?? 0) * 60 + (local.minute ?? 0) {
                    failures.append("capacity: its day does not follow \(candidate.timeZoneIdentifier)")
                }
                var ledger = CapacityLedger()
                ledger.take(spec.id, limits: candidate.capacity, hotLead: false, in: windows)
                let taken = ledger.usage(of: spec.id, in: windows)
                ledger.setUsage(CapacityUsage(), of: spec.id, in: windows)
                if taken.today != 1 || ledger.usage(of: spec.id, in: windows).today != 0 {
                    failures.append("capacity: a slot could not be taken and given back")
                }
                let reported = try await store.usage(in: [CapacitySlot(locationID: spec.id, windows: windows)])
                // Reporting: it is stored with its sub-account, and the capacity report answers for it (the
                // per-location gauges of /metrics are read from the same store, at every scrape).
                if !stored.contains(where: { $0.id == spec.id && $0.ghlLocationID == subAccount }) {
                    failures.append("reporting: it is not stored with sub-account \(subAccount)")
                } else if reported[spec.id] == nil && !reported.isEmpty {
                    failures.append("reporting: the capacity report has no row for it")
                }
            } else {
                failures.append("capacity: no capacity windows (time zone \(candidate.timeZoneIdentifier))")
            }
        } catch {
            failures.append("routing: \(error)")
        }
        // Automations: what the snapshot should install is in the sub-account — asked of GHL, not assumed.
        do {
            let workflows = Set(try await client.workflows(locationID: subAccount).map(\.name))
            let pipelines = Set(try await client.pipelines(locationID: subAccount).map(\.name))
            let fields = Set(try await client.customFields(locationID: subAccount).map(\.name))
            let missing =
                spec.expectedWorkflows.filter { !workflows.contains($0) }.map { "workflow '\($0)'" }
                + spec.expectedPipelines.filter { !pipelines.contains($0) }.map { "pipeline '\($0)'" }
                + spec.customFields.map(\.name).filter { !fields.contains($0) }.map { "custom field '\($0)'" }
            if !missing.isEmpty { failures.append("automations: missing \(missing.joined(separator: ", "))") }
        } catch {
            failures.append("automations: could not be read from GHL (\(error))")
        }
        return failures
    }
}
