/// The local day and week a moment falls in, for one location's time zone.
///
/// Days are counted from 1970-01-01 in local time; weeks start on local Monday.
public struct CapacityWindows: Sendable, Hashable, Codable {
    /// Local days since 1970-01-01.
    public var day: Int
    /// Local Monday-based weeks since the week of 1970-01-01.
    public var week: Int
    /// Minutes since local midnight.
    public var minuteOfDay: Int
    /// 0 = Monday … 6 = Sunday.
    public var weekday: Int

    /// The windows of `secondsSince1970` in a zone with the given offsets.
    public init(secondsSince1970 seconds: Int64, offsets: UTCOffsets) {
        let local = seconds + Int64(offsets.secondsFromUTC(at: seconds))
        let day = Self.floorDivide(local, 86_400)
        self.day = Int(day)
        // 1970-01-01 was a Thursday: day 0 is weekday 3 of a Monday-based week.
        let week = Self.floorDivide(day + 3, 7)
        self.week = Int(week)
        self.weekday = Int(day + 3 - week * 7)
        self.minuteOfDay = Int((local - day * 86_400) / 60)
    }

    /// Seconds since 1970 (UTC) when the day window resets: the next local midnight.
    public func dayResetsAt(offsets: UTCOffsets) -> Int64 {
        offsets.utcSeconds(forLocalMidnightOfDay: Int64(day) + 1)
    }

    /// Seconds since 1970 (UTC) when the week window resets: the next local Monday midnight.
    public func weekResetsAt(offsets: UTCOffsets) -> Int64 {
        offsets.utcSeconds(forLocalMidnightOfDay: (Int64(week) + 1) * 7 - 3)
    }

    static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
