public import Foundation

/// Time as a location counts it: only while it is open (its weekly hours, in its own time zone), or — with no
/// hours — all the time. Daylight-saving changes are followed: an hour that does not exist locally is not counted.
public struct BusinessClock: Sendable, Hashable {
    /// The opening hours; `nil` counts every second.
    public var hours: WeeklyHours?
    public var offsets: UTCOffsets

    public init(hours: WeeklyHours?, offsets: UTCOffsets) {
        self.hours = hours
        self.offsets = offsets
    }

    /// A clock that counts every second (SLA clock `always`).
    public static let always = BusinessClock(hours: nil, offsets: .utc)

    /// The open seconds between two moments (0 when `end` is not after `start`).
    public func openSeconds(from start: Date, to end: Date) -> TimeInterval {
        guard end > start else { return 0 }
        guard let hours else { return end.timeIntervalSince(start) }
        var total: TimeInterval = 0
        for interval in openIntervals(of: hours, from: start, through: end) {
            let lower = max(interval.lowerBound, start)
            let upper = min(interval.upperBound, end)
            if upper > lower { total += upper.timeIntervalSince(lower) }
        }
        return total
    }

    /// The moment at which `seconds` of open time have passed since `start` (a lead delivered while the location
    /// is closed starts counting at the next opening). `nil` when the hours never open.
    public func date(after seconds: TimeInterval, from start: Date) -> Date? {
        guard let hours else { return start.addingTimeInterval(seconds) }
        guard hours.days.contains(where: { !$0.isEmpty }) else { return nil }
        var remaining = seconds
        var windowStart = start
        // Whole weeks at a time, so that a long SLA over a sparse schedule does not loop for ever.
        while true {
            let windowEnd = windowStart.addingTimeInterval(8 * 86_400)
            for interval in openIntervals(of: hours, from: windowStart, through: windowEnd) {
                let lower = max(interval.lowerBound, windowStart)
                let upper = min(interval.upperBound, windowEnd)
                guard upper > lower else { continue }
                let available = upper.timeIntervalSince(lower)
                if available >= remaining { return lower.addingTimeInterval(remaining) }
                remaining -= available
            }
            windowStart = windowEnd
        }
    }

    /// Whether the location is open at a moment (always, with no hours).
    public func isOpen(at date: Date) -> Bool {
        guard let hours else { return true }
        let local =
            Int64(date.timeIntervalSince1970.rounded(.down))
            + Int64(offsets.secondsFromUTC(at: Int64(date.timeIntervalSince1970)))
        let day = Self.floorDiv(local, 86_400)
        let weekday = Int((day + 3) % 7 + 7) % 7  // 1970-01-01 was a Thursday (weekday 3, Monday = 0)
        return hours.isOpen(weekday: weekday, minuteOfDay: Int((local - day * 86_400) / 60))
    }

    /// The open intervals (in UTC) of the local days that overlap `start…end`, in order.
    private func openIntervals(of hours: WeeklyHours, from start: Date, through end: Date) -> [Range<Date>] {
        let first = Self.floorDiv(localSeconds(start), 86_400) - 1
        let last = Self.floorDiv(localSeconds(end), 86_400) + 1
        var result: [Range<Date>] = []
        for day in first...last {
            let weekday = Int(((day + 3) % 7 + 7) % 7)
            for minutes in hours.days[weekday] {
                let lower = utc(ofLocal: day * 86_400 + Int64(minutes.lowerBound) * 60)
                let upper = utc(ofLocal: day * 86_400 + Int64(minutes.upperBound) * 60)
                if upper > lower { result.append(lower..<upper) }
            }
        }
        return result
    }

    private func localSeconds(_ date: Date) -> Int64 {
        let utc = Int64(date.timeIntervalSince1970.rounded(.down))
        return utc + Int64(offsets.secondsFromUTC(at: utc))
    }

    /// The UTC moment of a local wall-clock second (in a gap, the moment just after it).
    private func utc(ofLocal local: Int64) -> Date {
        let guess = local - Int64(offsets.secondsFromUTC(at: local))
        return Date(timeIntervalSince1970: Double(local - Int64(offsets.secondsFromUTC(at: guess))))
    }

    private static func floorDiv(_ value: Int64, _ divisor: Int64) -> Int64 {
        value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor)
    }
}
