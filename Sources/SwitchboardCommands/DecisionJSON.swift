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
            try container.encode(decision.distanceMiles.map(rounded), forKey: .distanceMiles)
            try container.encode(decision.nearestLocationID, forKey: .nearestLocationId)
            try container.encode(decision.nearestDistanceMiles.map(rounded), forKey: .nearestDistanceMiles)
            try container.encode(decision.explanation.rule.rawValue, forKey: .rule)
            try container.encode(decision.hotLead, forKey: .hotLead)
            try container.encode(Explanation(decision: decision), forKey: .explanation)
        }
    }

    private struct Explanation: Encodable {
        var decision: RoutingDecision

        enum Keys: String, CodingKey {
            case summary, point, rule, tieBreak, candidates, unlistedCandidates, notes
        }

        func encode(to encoder: any Encoder) throws {
            let explanation = decision.explanation
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(decision.summary, forKey: .summary)
            try container.encode(explanation.point.map(Point.init), forKey: .point)
            try container.encode(explanation.rule.rawValue, forKey: .rule)
            try container.encode(explanation.tieBreak?.rawValue, forKey: .tieBreak)
            try container.encode(explanation.candidates.map(Candidate.init), forKey: .candidates)
            try container.encode(explanation.unlistedCandidates, forKey: .unlistedCandidates)
            try container.encode(explanation.notes, forKey: .notes)
        }
    }

    private struct Point: Encodable {
        var latitude: Double
        var longitude: Double
        var source: String
        var postalCode: String?

        init(_ point: ResolvedPoint) {
            latitude = point.coordinate.latitude
            longitude = point.coordinate.longitude
            source = point.source.rawValue
            postalCode = point.postalCode?.text
        }

        enum Keys: String, CodingKey { case latitude, longitude, source, postalCode }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(latitude, forKey: .latitude)
            try container.encode(longitude, forKey: .longitude)
            try container.encode(source, forKey: .source)
            try container.encode(postalCode, forKey: .postalCode)
        }
    }

    private struct Candidate: Encodable {
        var assessment: CandidateAssessment

        init(_ assessment: CandidateAssessment) { self.assessment = assessment }

        enum Keys: String, CodingKey {
            case locationId, distanceMiles, status, radiusMiles, leadsToday, dailyCapacity, leadsThisWeek,
                weeklyCapacity, open, verdict
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(assessment.locationID, forKey: .locationId)
            try container.encode(rounded(assessment.distanceMiles), forKey: .distanceMiles)
            try container.encode(assessment.status.rawValue, forKey: .status)
            try container.encode(rounded(assessment.radiusMiles), forKey: .radiusMiles)
            try container.encode(assessment.usage.today, forKey: .leadsToday)
            try container.encode(assessment.dailyLimit, forKey: .dailyCapacity)
            try container.encode(assessment.usage.thisWeek, forKey: .leadsThisWeek)
            try container.encode(assessment.weeklyLimit, forKey: .weeklyCapacity)
            try container.encode(assessment.isOpen, forKey: .open)
            try container.encode(assessment.verdict.rawValue, forKey: .verdict)
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

/// Miles to two decimals: more would be false precision for centroid-based distances.
private func rounded(_ miles: Double) -> Double {
    (miles * 100).rounded() / 100
}
