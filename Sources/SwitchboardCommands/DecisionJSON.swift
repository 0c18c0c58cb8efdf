import Foundation
import LeadRouting

/// The JSON form of routing results: the contract other tools read (`switchboard route --json`).
///
/// Absent values are written as `null`, never left out, so readers can rely on every key.
enum DecisionJSON {
    private struct Line: Encodable {
        var decision: RoutingDecision
        var names: [String: String]
        var line: Int?

        enum Keys: String, CodingKey {
            case leadId, line, outcome, locationId, locationName, distanceMiles, nearestLocationId,
                nearestDistanceMiles, rule, hotLead, explanation
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(decision.leadID, forKey: .leadId)
            if let line { try container.encode(line, forKey: .line) }
            try container.encode(decision.outcome.rawValue, forKey: .outcome)
            try container.encode(decision.locationID, forKey: .locationId)
            try container.encode(decision.locationID.flatMap { names[$0] }, forKey: .locationName)
            try container.encode(decision.distanceMiles.map(ExplanationJSON.rounded), forKey: .distanceMiles)
            try container.encode(decision.nearestLocationID, forKey: .nearestLocationId)
            try container.encode(
                decision.nearestDistanceMiles.map(ExplanationJSON.rounded),
                forKey: .nearestDistanceMiles
            )
            try container.encode(decision.explanation.rule.rawValue, forKey: .rule)
            try container.encode(decision.hotLead, forKey: .hotLead)
            try container.encode(ExplanationJSON(decision), forKey: .explanation)
        }
    }

    private struct Summary: Encodable {
        var summary: RouteSummary
    }

    /// One decision as a single JSON line.
    static func line(for decision: RoutingDecision, names: [String: String], line: Int?) -> String {
        encode(Line(decision: decision, names: names, line: line))
    }

    /// The closing summary object of a `--leads` run.
    static func line(for summary: RouteSummary) -> String {
        encode(Summary(summary: summary))
    }

    private static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding these plain values cannot fail; a failure would be a programming error.
        let data = try! encoder.encode(value)
        return String(decoding: data, as: UTF8.self)
    }
}
