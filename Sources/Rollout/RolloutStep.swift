/// The steps of onboarding one location, in order.
public enum RolloutStep: String, Sendable, Hashable, CaseIterable, Codable {
    /// Create the sub-account with the base snapshot (never twice: a pending create is looked up in GHL first).
    case createSubAccount = "create-sub-account"
    /// Wait until the snapshot has finished loading.
    case loadSnapshot = "load-snapshot"
    /// Set the sub-account's time zone.
    case configureSettings = "configure-settings"
    /// Create the template's custom fields that are missing.
    case customFields = "custom-fields"
    /// Create or update the template's custom values (business hours among them).
    case customValues = "custom-values"
    /// Add the location to routing as `onboarding` (not routable yet).
    case addToRouting = "add-to-routing"
    /// Run the checks; pass → `active`, fail → `quarantined`.
    case validate
}
