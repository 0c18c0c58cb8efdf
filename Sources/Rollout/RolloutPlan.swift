/// What `rollout plan` found for each location: what `apply` would do, or that nothing needs doing.
public struct RolloutPlan: Sendable, Codable {
    public struct Entry: Sendable, Codable {
        public var locationID: String
        public var name: String
        /// Where it stands now: `new`, `in-progress`, `quarantined`, `active`.
        public var state: String
        /// The actions, in order; empty means no change.
        public var actions: [String]
        public var ghlLocationID: String?

        public var changes: Bool { !actions.isEmpty }
    }

    public var entries: [Entry]

    /// How many locations have something to do.
    public var changing: Int { entries.filter(\.changes).count }

    /// The plan for people: one block per location that changes, one line for those that do not.
    public var text: String {
        var lines: [String] = []
        for entry in entries {
            if entry.changes {
                lines.append("\(entry.locationID) (\(entry.name)) — \(entry.state):")
                lines += entry.actions.map { "    + \($0)" }
            } else {
                lines.append("\(entry.locationID) (\(entry.name)) — no change")
            }
        }
        lines.append("")
        lines.append("\(changing) of \(entries.count) locations to onboard; \(entries.count - changing) unchanged.")
        return lines.joined(separator: "\n")
    }
}
