/// GHL's rate-limit response headers (docs/oauth/Authorization.md).
public struct RateLimitHeaders: Sendable, Hashable {
    /// `X-RateLimit-Max`: calls allowed per interval.
    public var max: Int?
    /// `X-RateLimit-Remaining`: calls left in the current interval.
    public var remaining: Int?
    /// `X-RateLimit-Interval-Milliseconds`: the interval.
    public var intervalMilliseconds: Int?
    /// `X-RateLimit-Limit-Daily`: calls allowed per day.
    public var dailyLimit: Int?
    /// `X-RateLimit-Daily-Remaining`: calls left today.
    public var dailyRemaining: Int?

    public init(
        max: Int? = nil,
        remaining: Int? = nil,
        intervalMilliseconds: Int? = nil,
        dailyLimit: Int? = nil,
        dailyRemaining: Int? = nil
    ) {
        self.max = max
        self.remaining = remaining
        self.intervalMilliseconds = intervalMilliseconds
        self.dailyLimit = dailyLimit
        self.dailyRemaining = dailyRemaining
    }

    /// The header names, as GHL spells them.
    public enum Name {
        public static let max = "X-RateLimit-Max"
        public static let remaining = "X-RateLimit-Remaining"
        public static let intervalMilliseconds = "X-RateLimit-Interval-Milliseconds"
        public static let dailyLimit = "X-RateLimit-Limit-Daily"
        public static let dailyRemaining = "X-RateLimit-Daily-Remaining"
    }

    /// Reads the headers through a lookup by name (case-insensitive in HTTP; the caller's lookup decides).
    public init(_ value: (String) -> String?) {
        self.init(
            max: value(Name.max).flatMap { Int($0) },
            remaining: value(Name.remaining).flatMap { Int($0) },
            intervalMilliseconds: value(Name.intervalMilliseconds).flatMap { Int($0) },
            dailyLimit: value(Name.dailyLimit).flatMap { Int($0) },
            dailyRemaining: value(Name.dailyRemaining).flatMap { Int($0) }
        )
    }
}
