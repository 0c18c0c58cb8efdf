/// Where a location is in its life: only `active` locations take leads.
public enum LocationStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Live: takes leads.
    case active
    /// Temporarily out of routing (holiday, renovation); keeps its data.
    case paused
    /// Being set up by a rollout; joins routing once validated.
    case onboarding
    /// Failed validation during a rollout; kept out of routing until fixed.
    case quarantined
}
