/// The steps of a delivery, each its own job so that a failure in a later step never repeats an earlier one.
public enum DeliveryStep: String, Sendable, Hashable, CaseIterable {
    /// Upsert the contact into the target sub-account, with tags (merged with its existing ones) and custom fields.
    case contact
    /// Create an opportunity in the configured pipeline and stage.
    case opportunity
    /// Enrol the contact in the configured workflow.
    case workflow
    /// Tag the contact in the agency's intake sub-account with where it went.
    case intakeTag

    /// The tag every delivered contact carries.
    public static let routedTag = "switchboard:routed"

    /// The tag of a contact a location did not work in time, taken to another (with `-to:ID` naming where).
    public static let reroutedTag = "switchboard:rerouted"

    /// The tag naming the location a contact was routed to.
    public static func locationTag(_ locationID: String) -> String { "switchboard:location:\(locationID)" }
}
