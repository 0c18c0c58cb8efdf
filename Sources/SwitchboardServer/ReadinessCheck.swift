/// Something `/health/ready` waits for beyond the database and the routing worker — e.g. the embedded sandbox's
/// demo sub-accounts having loaded their snapshots, so the first leads are delivered like the thousandth.
public struct ReadinessCheck: Sendable {
    /// The name shown in the readiness answer.
    public var name: String
    /// `nil` when ready; otherwise what is still missing, in words.
    public var check: @Sendable () async -> String?

    public init(name: String, check: @escaping @Sendable () async -> String?) {
        self.name = name
        self.check = check
    }
}
