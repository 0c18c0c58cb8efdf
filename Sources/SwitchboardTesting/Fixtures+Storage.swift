public import LeadRouting
public import Storage

extension Fixtures {
    /// An API lead at 78701 with its own email, and what de-duplicates it.
    public static func intake(
        _ id: String,
        webhookID: String? = nil,
        key: String? = nil,
        digest: String = "d"
    ) -> Intake {
        Intake(
            record: LeadRecord(id: id, channel: "api", lead: lead("78701", id: id, email: "\(id)@example.com")),
            webhookID: webhookID,
            idempotency: key.map { Intake.IdempotencyKey(key: $0, requestDigest: digest) }
        )
    }

    /// A decision assigning a lead to a location (by the nearest rule, no explanation details).
    public static func assignment(_ leadID: String, to locationID: String) -> RoutingDecision {
        RoutingDecision(
            leadID: leadID,
            outcome: .assigned,
            locationID: locationID,
            hotLead: false,
            explanation: RoutingExplanation(point: nil, rule: .nearest)
        )
    }
}
