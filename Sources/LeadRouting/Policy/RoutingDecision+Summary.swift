extension RoutingDecision {
    /// The decision in one or two sentences, for people: where the lead went (or why nowhere), by which rule, and
    /// what was skipped on the way.
    public var summary: String {
        var parts: [String] = []
        switch outcome {
        case .assigned:
            let chosen = explanation.candidates.first { $0.verdict == .chosen }
            var text = "Assigned to \(locationID ?? "?")"
            if let distanceMiles { text += ", \(Self.miles(distanceMiles)) mi away" }
            text += " (\(ruleText)"
            if let chosen { text += "; \(Self.capacityText(chosen))" }
            text += ")."
            parts.append(text)
        case .noCapacity:
            parts.append(
                "No capacity: every location in range is full; waitlist location "
                    + "\(nearestLocationID ?? "?") at \(Self.miles(nearestDistanceMiles ?? 0)) mi."
            )
        case .outOfRange:
            if let nearestLocationID, let nearestDistanceMiles {
                parts.append(
                    "Out of range: the nearest active location, \(nearestLocationID), is "
                        + "\(Self.miles(nearestDistanceMiles)) mi away, beyond its radius."
                )
            } else {
                parts.append("Out of range: no active location can be reached.")
            }
        case .invalidPostalCode:
            parts.append("Invalid postal code.")
        case .unknownPostalCode:
            parts.append("Unknown postal code.")
        case .noLocations:
            parts.append("No location is active.")
        }
        if let point = explanation.point {
            switch point.source {
            case .coordinates: parts.append("Lead placed at its coordinates \(point.coordinate).")
            case .postalCode: parts.append("Lead placed at \(point.postalCode?.text ?? "?") (\(point.coordinate)).")
            case .approximatedZIPArea:
                parts.append("Lead placed approximately, at the mean of its ZIP area (\(point.coordinate)).")
            }
        }
        let skipped = explanation.candidates.filter { !$0.verdict.isEligible && $0.verdict != .outOfRadius }
        if !skipped.isEmpty {
            parts.append(
                "Skipped: "
                    + skipped.prefix(3).map {
                        "\($0.locationID) \(Self.miles($0.distanceMiles)) mi (\(Self.verdictText($0)))"
                    }.joined(separator: ", ") + (skipped.count > 3 ? " and \(skipped.count - 3) more" : "") + "."
            )
        }
        // A note that says what the outcome already said ("no location is active") is not repeated.
        for note in explanation.notes.map({ Self.sentence($0) }) where !parts.contains(note) { parts.append(note) }
        return parts.joined(separator: " ")
    }

    private var ruleText: String {
        let base: String
        switch explanation.rule {
        case .sticky: base = "repeat lead, back to its previous location"
        case .territory: base = "protected territory"
        case .nearest: base = "nearest eligible location"
        case .nearestOpen: base = "nearest eligible location open now"
        case .manual: base = "assigned by hand"
        case .none: base = "no rule"
        }
        switch explanation.tieBreak {
        case .lowerUtilisation?: return base + ", won a tie on lower utilisation"
        case .higherPriority?: return base + ", won a tie on priority"
        case .locationID?: return base + ", won a tie on id"
        case .openNow?: return base + ", won a tie by being open"
        case nil: return base
        }
    }

    static func capacityText(_ candidate: CandidateAssessment) -> String {
        var text = "\(candidate.usage.today)/\(candidate.dailyLimit.map(String.init) ?? "∞") today"
        if let weekly = candidate.weeklyLimit { text += ", \(candidate.usage.thisWeek)/\(weekly) this week" }
        return text
    }

    static func verdictText(_ candidate: CandidateAssessment) -> String {
        switch candidate.verdict {
        case .chosen: "chosen"
        case .passedOver: "eligible, not chosen"
        case .alreadyTried: "already had the lead"
        case .inactive: candidate.status.rawValue
        case .outOfRadius: "beyond its \(miles(candidate.radiusMiles)) mi radius"
        case .dayFull: "full today, \(capacityText(candidate))"
        case .weekFull: "full this week, \(capacityText(candidate))"
        case .reservedForHot: "remaining slots reserved for hot leads, \(capacityText(candidate))"
        case .closed: "closed now"
        }
    }

    static func miles(_ value: Double) -> String {
        DecisionContext.miles(value)
    }

    private static func sentence(_ note: String) -> String {
        guard let first = note.first else { return note }
        return first.uppercased() + note.dropFirst() + (note.hasSuffix(".") ? "" : ".")
    }
}
