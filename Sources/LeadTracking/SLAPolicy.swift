import Foundation

/// How long a location has to work a delivered lead before it goes to another, and what the timer counts.
public struct SLAPolicy: Sendable, Hashable, Codable {
    /// What the timer counts.
    public enum Clock: String, Sendable, Hashable, Codable, CaseIterable {
        /// Only the location's open hours (a lead delivered while it is closed starts at opening).
        case business
        /// Every second.
        case always
    }

    /// The time allowed, in seconds; `nil` turns SLAs off.
    public var seconds: Double?
    public var clock: Clock
    /// How many times one lead may be re-routed; after that it goes to the review queue (`slaExhausted`).
    public var maxReroutes: Int
    /// How long after the deadline GHL's API is checked (webhooks arrive late).
    public var graceSeconds: Double
    /// The shares of the window at which the location is reminded (`lead.sla_warning`).
    public var warnings: [Double]
    /// Lead sources never re-routed (walk-ins, referrals).
    public var exemptSources: Set<String>
    /// Whether leads a territory owns may be re-routed away from it (off: territory rights stand).
    public var reroutesTerritories: Bool

    public init(
        seconds: Double? = 15 * 60,
        clock: Clock = .business,
        maxReroutes: Int = 1,
        graceSeconds: Double = 120,
        warnings: [Double] = [0.5, 0.8],
        exemptSources: Set<String> = ["walk-in", "referral"],
        reroutesTerritories: Bool = false
    ) {
        self.seconds = seconds
        self.clock = clock
        self.maxReroutes = maxReroutes
        self.graceSeconds = graceSeconds
        self.warnings = warnings
        self.exemptSources = exemptSources
        self.reroutesTerritories = reroutesTerritories
    }

    /// SLAs off.
    public static let off = SLAPolicy(seconds: nil)

    /// Reads a duration as `--sla` takes it: `90s`, `15m`, `2h`, or `0` (off). - Returns: seconds (0 for off), or
    /// `nil` when the text is not a duration.
    public static func seconds(parsing text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if trimmed == "0" { return 0 }
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400]
        guard let unit = trimmed.last.flatMap({ units[$0] }), let amount = Double(trimmed.dropLast()), amount > 0,
            amount.isFinite
        else { return nil }
        return amount * unit
    }
}
