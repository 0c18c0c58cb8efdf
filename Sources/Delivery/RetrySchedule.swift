/// When a failed delivery step is tried again: a fixed ladder spread over more than a day, with jitter so that
/// leads that failed together do not come back together.
public struct RetrySchedule: Sendable, Hashable {
    /// The wait before each retry: the first entry is the wait after the first failure.
    public var delays: [Duration]
    /// Each wait is scattered uniformly within ± this share of itself.
    public var jitter: Double

    /// The documented ladder, speed first for a blip and patient for an outage: 1 s, 5 s, 15 s, 1 min, 5 min,
    /// 30 min, 2 h, 5 h, 10 h (about 17.6 hours in all).
    public static let standard = RetrySchedule(
        delays: [
            .seconds(1), .seconds(5), .seconds(15), .seconds(60), .seconds(300), .seconds(1_800), .seconds(7_200),
            .seconds(18_000), .seconds(36_000),
        ],
        jitter: 0.2
    )

    public init(delays: [Duration], jitter: Double) {
        precondition(!delays.isEmpty, "a schedule needs at least one delay")
        precondition((0..<1).contains(jitter), "jitter is a share below 1")
        self.delays = delays
        self.jitter = jitter
    }

    /// How many failures a step may have before it is dead-lettered.
    public var maximumAttempts: Int { delays.count }

    /// The wait after the `failures`-th counted failure (1-based), or `nil` when the step has used them all.
    /// - Parameter random: A number in 0..<1 (injected for tests).
    public func delay(afterFailure failures: Int, random: Double) -> Duration? {
        guard failures >= 1, failures <= delays.count else { return nil }
        let base = delays[failures - 1]
        let factor = 1 + jitter * (2 * random - 1)
        return base * factor
    }
}
