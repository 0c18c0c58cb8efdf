/// One attempt's (or many attempts') place in the funnel: delivered → attempted → contacted → booked → showed →
/// won, plus lost and re-routed. Counts add up, so aggregates are kept by adding each attempt's change.
public struct FunnelCounts: Sendable, Hashable, Codable {
    public var delivered = 0
    public var attempted = 0
    public var contacted = 0
    public var booked = 0
    public var showed = 0
    public var won = 0
    public var lost = 0
    public var rerouted = 0
    public var revenue: Double = 0

    public init() {}

    /// One delivered attempt with this progress.
    public init(progress: AttemptProgress) {
        delivered = 1
        attempted = progress.attempted ? 1 : 0
        contacted = progress.contacted ? 1 : 0
        booked = progress.booked ? 1 : 0
        showed = progress.showed ? 1 : 0
        won = progress.won ? 1 : 0
        lost = progress.lost ? 1 : 0
        rerouted = progress.reroutedAway ? 1 : 0
        revenue = progress.revenue
    }

    public static func + (lhs: FunnelCounts, rhs: FunnelCounts) -> FunnelCounts {
        var sum = FunnelCounts()
        sum.delivered = lhs.delivered + rhs.delivered
        sum.attempted = lhs.attempted + rhs.attempted
        sum.contacted = lhs.contacted + rhs.contacted
        sum.booked = lhs.booked + rhs.booked
        sum.showed = lhs.showed + rhs.showed
        sum.won = lhs.won + rhs.won
        sum.lost = lhs.lost + rhs.lost
        sum.rerouted = lhs.rerouted + rhs.rerouted
        sum.revenue = lhs.revenue + rhs.revenue
        return sum
    }

    public static prefix func - (counts: FunnelCounts) -> FunnelCounts {
        var negated = FunnelCounts()
        negated.delivered = -counts.delivered
        negated.attempted = -counts.attempted
        negated.contacted = -counts.contacted
        negated.booked = -counts.booked
        negated.showed = -counts.showed
        negated.won = -counts.won
        negated.lost = -counts.lost
        negated.rerouted = -counts.rerouted
        negated.revenue = -counts.revenue
        return negated
    }

    public static func - (lhs: FunnelCounts, rhs: FunnelCounts) -> FunnelCounts { lhs + -rhs }

    /// Whether every count is zero.
    public var isZero: Bool { self == FunnelCounts() }
}
