import Foundation
import HighLevel
import Storage

/// Where every location of a rollout stands, step by step, with totals — for the terminal, JSON and Markdown.
public struct RolloutReport: Sendable, Codable {
    public struct Entry: Sendable, Codable {
        public var locationID: String
        public var name: String
        /// `active` (live), `in-progress`, `quarantined`, or `not-started`.
        public var state: String
        public var wave: Int?
        public var ghlLocationID: String?
        public var steps: [Step]
        public var failures: [String]
    }

    public struct Step: Sendable, Codable {
        public var step: String
        public var status: String
        public var seconds: Double?
        public var detail: String?
    }

    public var entries: [Entry]
    public var elapsedSeconds: Double

    public var count: (active: Int, quarantined: Int, inProgress: Int, notStarted: Int) {
        (
            entries.filter { $0.state == "active" }.count, entries.filter { $0.state == "quarantined" }.count,
            entries.filter { $0.state == "in-progress" }.count, entries.filter { $0.state == "not-started" }.count
        )
    }

    init(
        specs: [OnboardingSpec],
        records: [String: RolloutRecord],
        stored: [String: StoredLocation],
        elapsed: Duration
    ) {
        entries = specs.map { spec in
            let record = records[spec.id]
            let state: String
            switch record?.state {
            case .active?: state = "active"
            case .quarantined?: state = "quarantined"
            case .inProgress?: state = "in-progress"
            case nil: state = RolloutRunner.isLive(stored[spec.id], nil) ? "active" : "not-started"
            }
            return Entry(
                locationID: spec.id,
                name: spec.subAccount.name,
                state: state,
                wave: record?.wave,
                ghlLocationID: record?.ghlLocationID ?? stored[spec.id]?.ghlLocationID,
                steps: RolloutStep.allCases.compactMap { step in
                    record?.steps[step.rawValue].map {
                        Step(step: step.rawValue, status: $0.status.rawValue, seconds: $0.seconds, detail: $0.detail)
                    }
                },
                failures: record?.failures ?? []
            )
        }
        elapsedSeconds = elapsed.inSeconds
    }

    /// A line of totals.
    public var summary: String {
        let count = count
        return "\(entries.count) locations: \(count.active) active, \(count.quarantined) quarantined, "
            + "\(count.inProgress) in progress, \(count.notStarted) not started"
            + (elapsedSeconds > 0 ? " (this run: \(String(format: "%.1f", elapsedSeconds)) s)" : "")
    }

    /// One line per location, failures indented under it.
    public var text: String {
        var lines: [String] = []
        for entry in entries {
            let wave = entry.wave.map { "wave \($0)" } ?? "-"
            let steps = entry.steps.filter { $0.status == "done" }.count
            lines.append(
                "\(entry.locationID.padding(toLength: 28, withPad: " ", startingAt: 0)) "
                    + "\(entry.state.padding(toLength: 12, withPad: " ", startingAt: 0)) \(wave.padding(toLength: 7, withPad: " ", startingAt: 0)) "
                    + "\(steps)/\(RolloutStep.allCases.count) steps  \(entry.ghlLocationID ?? "")"
            )
            lines += entry.failures.map { "    ! \($0)" }
        }
        lines.append(summary)
        return lines.joined(separator: "\n")
    }

    /// The report as a Markdown document: totals, then a table per location with each step's outcome and time.
    public var markdown: String {
        var lines = [
            "# Rollout report", "", summary, "", "| Location | State | Wave | Sub-account | Steps | Failures |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for entry in entries {
            let steps = entry.steps.map { step in
                "\(step.step): \(step.status)" + (step.seconds.map { String(format: " (%.2f s)", $0) } ?? "")
            }.joined(separator: "<br>")
            lines.append(
                "| \(entry.locationID) | \(entry.state) | \(entry.wave.map(String.init) ?? "") | "
                    + "\(entry.ghlLocationID ?? "") | \(steps) | \(entry.failures.joined(separator: "<br>")) |"
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
