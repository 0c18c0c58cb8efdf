import LeadRouting

/// The readable (non-JSON) output of `switchboard route`.
enum DecisionText {
    /// A single decision with its candidates.
    static func detail(_ decision: RoutingDecision, names: [String: String]) -> String {
        var lines: [String] = []
        let headline: String
        if let locationID = decision.locationID {
            headline = "assigned → \(locationID) (\(names[locationID] ?? locationID))"
        } else {
            headline = decision.outcome.rawValue
        }
        lines.append("Outcome:   \(headline)")
        if let distance = decision.distanceMiles { lines.append("Distance:  \(miles(distance)) mi") }
        lines.append("Rule:      \(decision.explanation.rule.rawValue)")
        lines.append("Why:       \(decision.summary)")
        if !decision.explanation.candidates.isEmpty {
            lines.append("Candidates (nearest first):")
            lines.append(
                "  " + pad("location", 24) + pad("miles", 8) + pad("status", 12) + pad("today", 10)
                    + pad("week", 10) + "verdict"
            )
            for candidate in decision.explanation.candidates {
                let today = "\(candidate.usage.today)/\(candidate.dailyLimit.map(String.init) ?? "∞")"
                let week = "\(candidate.usage.thisWeek)/\(candidate.weeklyLimit.map(String.init) ?? "∞")"
                lines.append(
                    "  " + pad(candidate.locationID, 24) + pad(miles(candidate.distanceMiles), 8)
                        + pad(candidate.status.rawValue, 12) + pad(today, 10) + pad(week, 10)
                        + candidate.verdict.rawValue
                )
            }
            if decision.explanation.unlistedCandidates > 0 {
                lines.append("  … and \(decision.explanation.unlistedCandidates) more in reach")
            }
        }
        return lines.joined(separator: "\n")
    }

    static let tableHeader =
        pad("lead", 14) + pad("postal", 10) + pad("outcome", 19) + pad("location", 24) + pad("miles", 8) + "rule"

    static func tableRow(_ decision: RoutingDecision, lead: Lead) -> String {
        let location = decision.locationID ?? decision.nearestLocationID.map { "(\($0))" } ?? "-"
        let distance = decision.distanceMiles ?? decision.nearestDistanceMiles
        return pad(decision.leadID ?? "-", 14) + pad(lead.postalCode ?? "-", 10) + pad(decision.outcome.rawValue, 19)
            + pad(location, 24) + pad(distance.map(miles) ?? "-", 8) + decision.explanation.rule.rawValue
    }

    static func summary(_ summary: RouteSummary, names: [String: String]) -> String {
        var lines = ["", "\(summary.leads) leads routed"]
        for outcome in RoutingOutcome.allCases {
            lines.append("  " + pad(outcome.rawValue, 19) + "\(summary.outcomes[outcome.rawValue] ?? 0)")
        }
        lines.append("Per location:")
        for (id, count) in summary.locations.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }) {
            lines.append("  " + pad(id, 24) + pad("\(count)", 6) + (names[id] ?? ""))
        }
        return lines.joined(separator: "\n")
    }

    private static func miles(_ value: Double) -> String {
        let hundredths = Int((value * 10).rounded())
        return "\(hundredths / 10).\(hundredths % 10)"
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
