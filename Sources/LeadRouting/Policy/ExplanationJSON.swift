/// The JSON form of a routing explanation, shared by `switchboard route --json` and the HTTP API: camelCase keys,
/// postal codes as text, distances to two decimals, and every key present (`null` when empty).
public struct ExplanationJSON: Encodable, Sendable {
    var decision: RoutingDecision

    public init(_ decision: RoutingDecision) { self.decision = decision }

    /// Miles to two decimals: more would be false precision for centroid-based distances.
    public static func rounded(_ miles: Double) -> Double {
        (miles * 100).rounded() / 100
    }

    enum Keys: String, CodingKey {
        case summary, point, rule, tieBreak, candidates, unlistedCandidates, notes
    }

    public func encode(to encoder: any Encoder) throws {
        let explanation = decision.explanation
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(decision.summary, forKey: .summary)
        try container.encode(explanation.point.map(ExplanationPoint.init), forKey: .point)
        try container.encode(explanation.rule.rawValue, forKey: .rule)
        try container.encode(explanation.tieBreak?.rawValue, forKey: .tieBreak)
        try container.encode(explanation.candidates.map(ExplanationCandidate.init), forKey: .candidates)
        try container.encode(explanation.unlistedCandidates, forKey: .unlistedCandidates)
        try container.encode(explanation.notes, forKey: .notes)
    }
}

private struct ExplanationPoint: Encodable {
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

private struct ExplanationCandidate: Encodable {
    var assessment: CandidateAssessment

    init(_ assessment: CandidateAssessment) { self.assessment = assessment }

    enum Keys: String, CodingKey {
        case locationId, distanceMiles, status, radiusMiles, leadsToday, dailyCapacity, leadsThisWeek,
            weeklyCapacity, open, verdict
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(assessment.locationID, forKey: .locationId)
        try container.encode(ExplanationJSON.rounded(assessment.distanceMiles), forKey: .distanceMiles)
        try container.encode(assessment.status.rawValue, forKey: .status)
        try container.encode(ExplanationJSON.rounded(assessment.radiusMiles), forKey: .radiusMiles)
        try container.encode(assessment.usage.today, forKey: .leadsToday)
        try container.encode(assessment.dailyLimit, forKey: .dailyCapacity)
        try container.encode(assessment.usage.thisWeek, forKey: .leadsThisWeek)
        try container.encode(assessment.weeklyLimit, forKey: .weeklyCapacity)
        try container.encode(assessment.isOpen, forKey: .open)
        try container.encode(assessment.verdict.rawValue, forKey: .verdict)
    }
}
