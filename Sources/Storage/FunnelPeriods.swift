import Foundation
import LeadRouting

/// The periods the funnel aggregates are kept by — UTC days and UTC months, each attempt counted in both by the
/// time it was delivered — and how a report's window is read from them: whole months from the monthly rows, the
/// days at either edge from the daily ones.
enum FunnelPeriods {
    /// The UTC day index (days since 1970-01-01) of a moment.
    static func day(_ date: Date) -> Int { Int((date.timeIntervalSince1970 / 86_400).rounded(.down)) }

    /// The UTC month index (months since 1970-01) of a day.
    static func month(ofDay day: Int) -> Int {
        let (year, month, _) = CivilDays.date(since1970: day)
        return (year - 1970) * 12 + (month - 1)
    }

    /// The first day of a month.
    static func firstDay(ofMonth month: Int) -> Int {
        let year = 1970 + Int((Double(month) / 12).rounded(.down))
        return CivilDays.since1970(year: year, month: month - (year - 1970) * 12 + 1, day: 1)
    }

    /// Where a window of whole days (open ends unbounded) is read from: a range of whole months, and the days
    /// outside it (at most two ranges, each shorter than a month).
    struct Window: Equatable {
        var months: ClosedRange<Int>?
        var days: [ClosedRange<Int>]
    }

    /// Days beyond any real date, for windows with an open end.
    static let unbounded = 1 << 40

    /// The window for days `first...last` (either at ``unbounded`` for an open end).
    static func window(firstDay first: Int, lastDay last: Int) -> Window {
        guard first <= last else { return Window(months: nil, days: []) }
        let openStart = first <= -unbounded
        let openEnd = last >= unbounded
        // The first whole month starts on or after `first`; the last whole month ends on or before `last`.
        let startMonth =
            openStart ? -unbounded : month(ofDay: first) + (firstDay(ofMonth: month(ofDay: first)) == first ? 0 : 1)
        let endMonth = openEnd ? unbounded : month(ofDay: last + 1) - 1
        guard startMonth <= endMonth else { return Window(months: nil, days: [first...last]) }
        var days: [ClosedRange<Int>] = []
        if !openStart, first < firstDay(ofMonth: startMonth) {
            days.append(first...(firstDay(ofMonth: startMonth) - 1))
        }
        if !openEnd, firstDay(ofMonth: endMonth + 1) <= last { days.append(firstDay(ofMonth: endMonth + 1)...last) }
        return Window(months: startMonth...endMonth, days: days)
    }

    /// The window of attempts delivered in `since..<until`, in whole UTC days.
    static func window(since: Date?, until: Date?) -> Window {
        window(
            firstDay: since.map(day) ?? -unbounded,
            lastDay: until.map { day($0.addingTimeInterval(-0.001)) } ?? unbounded
        )
    }
}
